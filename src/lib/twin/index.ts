// Digital twins by MVC-DDD: the model and its validation (Definitions 1–4), loading from source, and the runtime that
// composes granules into a running twin with each foreign granule sandboxed.
export * from './errors';
export {
  validateTwin,
  type Twin,
  type Violation,
} from './model';
export {
  loadTwinFromFiles,
  TWIN_FILE,
  TWIN_SCHEMA_ID,
  type TwinSource,
  type LoadedTwin,
} from './source';
export {
  TwinRuntime,
  type RuntimeGranule,
  type Incident,
  type IncidentKind,
} from './runtime';
export { packSource, packTwin, sharedGranules, withGranule, dependencyIssues, type PackedGranule } from './compose';
export { asViewNode, type ViewNode, type ControlDescription, type SceneDescription } from './view';
export { startTwinSession, type TwinSession, type TwinSessionParameters } from './session';
export { environmentConflicts, type EnvironmentConflict } from './environment-conflicts';
