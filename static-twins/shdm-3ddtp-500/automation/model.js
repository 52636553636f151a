// Model: the commands this printer accepts and their limits (from the granule's environment).
const limits = () => twin.environment.limits;
const num = (v, name, min, max) => {
  const n = Number(v);
  if (!isFinite(n) || n < min || n > max) throw new Error(name + ' must be between ' + min + ' and ' + max + ', got ' + JSON.stringify(v));
  return n;
};
exports.num = num;
exports.limits = limits;
exports.home = (axes) => {
  const list = (axes || []).filter((a) => /^[XYZ]$/.test(a));
  return ['G28' + (list.length ? ' ' + list.join(' ') : '')];
};
exports.jog = (p) => {
  const axis = String(p && p.axis).toUpperCase();
  if (!/^[XYZ]$/.test(axis)) throw new Error('axis must be X, Y or Z');
  const l = limits();
  const distance = num(p.distance, 'distance', -l.travel[axis.toLowerCase()], l.travel[axis.toLowerCase()]);
  const feed = num(p.feed === undefined ? l.jogFeed[axis.toLowerCase()] : p.feed, 'feed', 1, l.jogFeed[axis.toLowerCase()]);
  return ['G91', 'G0 ' + axis + distance + ' F' + Math.round(feed * 60), 'G90'];
};
exports.hotend = (p) => {
  const target = num(p && p.target, 'hotend target', 0, limits().hotendMax);
  return ['M104 S' + target];
};
exports.cooldown = () => ['M104 S0'];
