// Controller: serves the geometry and follows the position the sensing context reports.
const model = require('./model.js');
const view = require('./view.js');
let pose = model.initialPose();
exports.start = () => {
  twin.on('sensing:reading', (r) => {
    if (r && r.position) {
      pose = { x: r.position.x, y: r.position.y, z: r.position.z, layer: pose.layer };
      twin.emit('pose', pose);
    }
  });
};
exports.operations = {
  scene: () => model.scene,
  pose: () => pose,
  placed: () => model.placed(pose),
  view: () => view.render(model, pose),
};
