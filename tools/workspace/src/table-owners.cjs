// Who may touch which table: every SQL statement and TypeORM call on a table lives under its
// owner's folders, and everyone else calls the owner's named functions. `nx run
// workspace:check-tables` fails on a mention of a table (or a repository/query builder on its
// entity) anywhere else. Paths are relative to the workspace root and end in '/'.
module.exports = [
  { table: 'comfyui_jobs', entities: ['ComfyUiJob'], owners: ['libs/comfyui/src/jobs/', 'libs/comfyui/src/migrations/'] },
  { table: 'pipeline_runs', entities: ['PipelineRun'], owners: ['libs/pipeline/src/'] },
  { table: 'pipeline_steps', entities: ['PipelineStep'], owners: ['libs/pipeline/src/'] },
  { table: 'image_candidates', entities: ['ImageCandidate'], owners: ['libs/pipeline/src/'] },
];
