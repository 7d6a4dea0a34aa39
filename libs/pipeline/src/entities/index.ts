import { ImageCandidate } from './image-candidate.entity';
import { PipelineRun } from './pipeline-run.entity';
import { PipelineStep } from './pipeline-step.entity';
import { CreatePipelineTables1763600000000 } from '../migrations/1763600000000-create-pipeline-tables';
import { IndexSelectedCandidates1763700000000 } from '../migrations/1763700000000-index-selected-candidates';

export const pipelineEntities = [PipelineRun, PipelineStep, ImageCandidate];
export const pipelineMigrations = [CreatePipelineTables1763600000000, IndexSelectedCandidates1763700000000];
