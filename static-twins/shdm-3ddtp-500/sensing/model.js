// Model: the latest reading (temperatures, position, progress) and how to read Marlin's reports.
exports.empty = () => ({ temperatures: null, position: null, progress: null, at: 0 });
// "ok T:200.0 /200.0 B:60.0 /60.0 T0:200.0 /200.0 T1:25.0 /0.0 @:0 B@:0"
exports.parseTemperatures = (text) => {
  const re = /(^|\s)(T\d?|B):\s*(-?[\d.]+)(?:\s*\/\s*(-?[\d.]+))?/g;
  const hotends = [];
  let single = null;
  let bed = null;
  let m;
  while ((m = re.exec(text))) {
    const r = { temperature: Number(m[3]), target: m[4] === undefined ? 0 : Number(m[4]) };
    if (!isFinite(r.temperature)) continue;
    if (m[2] === 'B') bed = r;
    else if (m[2] === 'T') single = r;
    else hotends[Number(m[2].slice(1))] = r;
  }
  const list = hotends.length ? hotends.map((h) => h || { temperature: NaN, target: 0 }) : single ? [single] : [];
  return list.length ? { hotends: list, bed: bed } : null;
};
// "X:10.00 Y:20.00 Z:0.30 E:0.00 Count X:800 Y:1600 Z:120"
exports.parsePosition = (text) => {
  const m = /X:\s*(-?[\d.]+)\s+Y:\s*(-?[\d.]+)\s+Z:\s*(-?[\d.]+)(?:\s+E:\s*(-?[\d.]+))?/.exec(text);
  return m ? { x: Number(m[1]), y: Number(m[2]), z: Number(m[3]), e: m[4] === undefined ? 0 : Number(m[4]) } : null;
};
