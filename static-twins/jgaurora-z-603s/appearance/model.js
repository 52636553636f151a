// Model: the printer's geometry (scene.json, format twingrain/scene@1) and the pose reported by the sensing context.
const scene = require('./scene.json');
exports.scene = scene;
exports.initialPose = () => ({ x: 0, y: 0, z: 0, layer: 0 });
// Where each node is for a given toolhead/bed position: nodes listed under motion[axis] move with that axis.
exports.placed = (pose) =>
  scene.nodes.map((n) => {
    const p = n.position.slice();
    ['x', 'y', 'z'].forEach((axis, i) => {
      if (scene.motion[axis].indexOf(n.id) >= 0) p[i] += Number(pose[axis]) || 0;
    });
    return { id: n.id, role: n.role, shape: n.shape, size: n.size, position: p, color: n.color };
  });
