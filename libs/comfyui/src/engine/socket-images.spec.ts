import { EventEmitter } from 'node:events';
import type { ComfyUiEventStream } from '../client/event-stream';
import { SocketImageCollector } from './socket-images';

/** The events the collector listens to, sent in the order ComfyUI sends them for one prompt. */
function runPrompt(stream: EventEmitter, promptId: string, nodeId: string, png: Buffer): void {
  stream.emit('execution_start', { type: 'execution_start', data: { prompt_id: promptId } });
  stream.emit('executing', { type: 'executing', data: { prompt_id: promptId, node: nodeId } });
  stream.emit('image', { mimeType: 'image/png', bytes: png });
  stream.emit('executing', { type: 'executing', data: { prompt_id: promptId, node: null } });
}

describe('SocketImageCollector', () => {
  const png = Buffer.from('89504e47', 'hex');

  it('keeps the images of a prompt settled after the prune mark, though its job was not in flight when the jobs were read', async () => {
    const stream = new EventEmitter();
    const collector = new SocketImageCollector();
    collector.follow(stream as unknown as ComfyUiEventStream, 'http://a');
    const mark = collector.mark();
    // Posted and finished between reading the jobs in flight and pruning: in no list the prune is given.
    collector.expect('late', 'http://a', ['9']);
    runPrompt(stream, 'late', '9', png);

    collector.prune(new Set(), mark);

    expect(await collector.take('late', 10)).toEqual({ images: new Map([['9', [png]]]) });
  });

  it('forgets a settled prompt that nobody took once a later prune no longer lists it', async () => {
    const stream = new EventEmitter();
    const collector = new SocketImageCollector();
    collector.follow(stream as unknown as ComfyUiEventStream, 'http://a');
    collector.expect('failed-elsewhere', 'http://a', ['9']);
    runPrompt(stream, 'failed-elsewhere', '9', png);

    collector.prune(new Set(), collector.mark());

    expect(await collector.take('failed-elsewhere', 10)).toEqual({ problem: expect.stringContaining('not collected by this process') });
  });

  it('keeps a settled prompt whose job is still listed as waiting to be processed', async () => {
    const stream = new EventEmitter();
    const collector = new SocketImageCollector();
    collector.follow(stream as unknown as ComfyUiEventStream, 'http://a');
    collector.expect('listed', 'http://a', ['9']);
    runPrompt(stream, 'listed', '9', png);

    collector.prune(new Set(['listed']), collector.mark());

    expect(await collector.take('listed', 10)).toEqual({ images: new Map([['9', [png]]]) });
  });
});
