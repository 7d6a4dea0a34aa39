import { ImageCandidate } from './image-candidate.entity';
import { PipelineRun } from './pipeline-run.entity';
import { PipelineStep } from './pipeline-step.entity';
import { CreatePipelineTables1763600000000 } from '../migrations/1763600000000-create-pipeline-tables';

export const pipelineEntities = [PipelineRun, PipelineStep, ImageCandidate];
export const pipelineMigrations = [CreatePipelineTables1763600000000];
