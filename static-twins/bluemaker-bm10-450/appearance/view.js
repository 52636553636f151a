// View: a 3D scene node for the host's viewer, plus a short summary.
exports.render = (model, pose) => ({
  type: 'section',
  title: 'Appearance — ' + model.scene.printer,
  children: [
    { type: 'scene', scene: model.scene, pose: pose },
    { type: 'kv', items: [['kinematics', model.scene.kinematics], ['build volume', model.scene.buildVolume.x + ' × ' + model.scene.buildVolume.y + ' × ' + model.scene.buildVolume.z + ' mm'], ['parts', String(model.scene.nodes.length)]] },
  ],
});
