// Model: the machine's mechanical specification (spec.json, Table 2 plus firmware motion limits).
const spec = require('./spec.json');
exports.spec = spec;
exports.range = (r, v) => v >= r.min - 1e-9 && v <= r.max + 1e-9;
