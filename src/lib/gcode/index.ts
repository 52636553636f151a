/**
 * The one G-code interpreter of twingrain: it serves the viewer, the print-time estimate and the simulated firmware.
 *
 * - `parseCommand` / `stripComment` / `commentOf` — a line taken apart.
 * - `GcodeInterpreter` — Marlin's modal state (G90/G91, M82/M83, G92, G20/G21, F, M220/M221, T) turning moves into
 *   straight pieces; `arcPoints` cuts G2/G3 arcs (I/J or R) into chords.
 * - `MotionPlanner` / `applyLimitCommand` — a Marlin-like planner honouring M201–M205 (jerk, per-axis limits, look-ahead).
 * - `GcodeAnalyzer` / `analyzeGcode` — tool paths for the viewer (typed-array chunks, feature colours, travel apart),
 *   layers, estimate, filament, bounds of the part.
 * - `featureOfComment` — slicers' `;TYPE:` and `; FEATURE:` comments.
 */
export type { Vec4 } from './types';
export { parseCommand, stripComment, commentOf, arg, has } from './words';
export type { GcodeCommand } from './words';
export { GcodeInterpreter, homingSeconds, probingSeconds, PROBE_GRID } from './interpreter';
export type { MotionResult, Axis, InterpreterOptions } from './interpreter';
export { arcPoints, MM_PER_ARC_SEGMENT } from './arcs';
export type { ArcSpec } from './arcs';
export { MotionPlanner, applyLimitCommand, limitsReport, copyLimits, trapezoidSeconds } from './planner';
export type { MotionLimits, PlannedBlock } from './planner';
export { GcodeAnalyzer, analyzeGcode, layerOfCommand, segmentsUpTo } from './analyze';
export type { GcodeAnalysis, GcodeLayer, PathChunk, AnalyzerOptions } from './analyze';
export type { MachineModel, HeaterModel } from './machine';
export { FEATURES, TRAVEL, featureOfComment } from './features';
export type { FeatureId } from './features';
export { generateTestGcode } from './generate';
export type { GenerateOptions } from './generate';
