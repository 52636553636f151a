// Digital twins by MVC-DDD: the model and its validation (Definitions 1–4), loading from source, and the runtime that
// composes granules into a running twin with each foreign granule sandboxed.
export * from './errors';
export {
  validateTwin,
  mvcOf,
  contextsOf,
  elementId,
  type Twin,
  type Domain,
  type BoundedContext,
  type GranuleRef,
  type Violation,
  type MvcKind,
} from './model';
export {
  loadTwinFromFiles,
  joinPath,
  filesUnder,
  parseTwinSource,
  TWIN_FILE,
  TWIN_SCHEMA_ID,
  type TwinSource,
  type GranuleSource,
  type LoadedTwin,
} from './source';
export {
  TwinRuntime,
  type RuntimeGranule,
  type Capability,
  type TwinRuntimeOptions,
  type ContextStatus,
  type ContextState,
  type Incident,
  type IncidentKind,
  type CallGuard,
} from './runtime';
export { SANDBOX_BOOTSTRAP_SOURCE, type Sandbox, type SandboxFactory, type SandboxExit, type HostToGranule, type GranuleToHost } from './sandbox-protocol';
export { printerCapability, type PrinterCommander, type PrinterCapability } from './printer-capability';
export { packSource, packTwin, sharedGranules, withGranule, dependencyIssues, type PackedGranule } from './compose';
export { asViewNode, type ViewNode, type ControlDescription, type SceneDescription } from './view';
export { startTwinSession, type TwinSession, type TwinSessionParameters } from './session';
export { environmentConflicts, type EnvironmentConflict } from './environment-conflicts';
export { GcodeGuard, parseEnvelope, twinEnvelope, type MachineEnvelope } from './envelope';
