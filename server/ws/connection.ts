import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { Errors, errorCode, isEarshotError } from '../../src/errors.ts';
import type { ServerContext } from '../plugins/context.ts';
import type { ManagedStream, Subscriber } from '../streams/managedStream.ts';
import { checkConditionIds, mergeCondition, parseStreamConfig, resolveStreamConfig } from '../streams/wireConfig.ts';
import { FRAME_KIND, jsonFrame, PROTOCOL_VERSION, readBinaryFrame, type OutFrame } from './frames.ts';
import { parseClientMessage } from './messages.ts';
import type { ClientMessage } from '../protocol/clientMessages.ts';
import type { ServerMessage } from '../protocol/serverMessages.ts';
import { runOwnedBy, type FaultOwner } from '../faultScope.ts';
import { CLOSE, Outbox } from './outbox.ts';

/** A client whose pushed audio comes too fast hears so at most this often (ms); the drops are counted in every `stats`. */
const PUSH_WARN_MS = 5000;
/** Longest pause in reading a client that pushes too fast (ms). */
const PUSH_PAUSE_MAX_MS = 1000;

type MessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/**
 * One WebSocket client: parses its frames, answers them, and receives the
 * messages of the streams it subscribes to through its {@link Outbox}. Every
 * bad frame gets an `error` message and only this connection is affected;
 * too many protocol errors in a short time close it with 1008. When it goes,
 * its subscriptions end and the streams it started stop; others run on.
 */
export class Connection implements Subscriber {
  readonly id = randomUUID();
  private readonly outbox: Outbox;
  /** The `audio` message waiting for its binary frame (null: the frame is to be dropped, the error already sent). */
  private pendingAudio: { streamId: string | null } | undefined;
  private badFrameTimes: number[] = [];
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ServerContext,
    private readonly log: FastifyBaseLogger,
    private readonly serverVersion: string,
  ) {
    const { metrics } = ctx;
    this.outbox = new Outbox(ws, ctx.config.ws, {
      onSkip: () => metrics.wsSkipped.inc(),
      onSlowClose: () => {
        metrics.wsSlowCloses.inc();
        void this.release();
      },
    });
    metrics.wsClients.inc();
    ctx.sweeps.listen(this);
    // Faults nobody catches in this client's work close this connection only (1011); streams it starts take their own scope.
    const owner: FaultOwner = { label: `WebSocket connection ${this.id}`, end: (err) => this.abort(err) };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      runOwnedBy(owner, () => {
        try {
          this.onFrame(data, isBinary);
        } catch (err) {
          this.abort(err);
        }
      });
    });
    ws.on('close', () => {
      metrics.wsClients.dec();
      void this.release();
    });
  }

  get skipped(): number {
    return this.outbox.skipped;
  }

  deliver(frame: OutFrame, droppable: boolean): void {
    this.outbox.send(frame, droppable);
  }

  /** A fault the message handling did not expect: logged, the client told and closed with 1011; the server and other clients run on. */
  private abort(err: unknown): void {
    this.log.error({ err, connection: this.id }, 'WebSocket connection failed; closing it');
    if (this.closed) return;
    this.outbox.send(jsonFrame({ type: 'error', code: 'EARSHOT_INTERNAL', message: 'internal error while handling this connection; it is closed, reconnect (the server log has the details)' }), false);
    this.outbox.close(CLOSE.internalError, 'internal error; reconnect');
    void this.release();
  }

  /** Drop subscriptions and stop owned streams (once). */
  private async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ctx.sweeps.unlisten(this);
    await this.ctx.streams.release(this);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    // Closing (too slow, too many bad frames): what it still sends is not read.
    if (this.closed) return;
    const { maxTextBytes, maxBinaryBytes } = this.ctx.config.ws;
    const limit = isBinary ? maxBinaryBytes : maxTextBytes;
    if (data.length > limit) {
      this.pendingAudio = undefined;
      return this.fail(new Errors.FRAME_TOO_LARGE(`${isBinary ? 'binary' : 'text'} frame of ${data.length} bytes; the limit is ${limit} bytes${isBinary ? ' (send audio in smaller blocks)' : ''}`), true);
    }
    if (isBinary) return this.onBinary(data);
    // An accepted "audio" message must be followed by its frame; after a refused one the client may or may not send it.
    if (this.pendingAudio?.streamId) this.fail(new Errors.BAD_MESSAGE('an "audio" message must be followed by its binary frame; got a text frame, so that audio is dropped'), true, this.pendingAudio.streamId);
    this.pendingAudio = undefined;
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(data.toString('utf8'));
    } catch (err) {
      return this.fail(err, true, undefined, (err as { messageId?: string | number }).messageId);
    }
    this.dispatch(msg).catch((err: unknown) => this.fail(err, false, 'streamId' in msg ? msg.streamId : undefined, msg.id));
  }

  private async dispatch(msg: ClientMessage): Promise<void> {
    switch (msg.type) {
      case 'hello':
        return this.send({ type: 'welcome', server: 'earshot', version: this.serverVersion, protocol: PROTOCOL_VERSION, models: this.ctx.models.list().map((m) => m.manifest.id), streams: this.ctx.streams.list().map((s) => s.id) });
      case 'ping':
        return this.send({ type: 'pong', t: msg.t, ...idOf(msg) });
      case 'streams':
        return this.send({ type: 'streams', streams: this.ctx.streams.infos().map((info) => ({ ...info, mine: this.ctx.streams.get(info.id).ownerId === this.id })), ...idOf(msg) });
      case 'subscribe':
        return this.subscribe(msg.streamId);
      case 'unsubscribe':
        return this.ctx.streams.unsubscribe(msg.streamId, this);
      case 'start':
        return this.start(msg);
      case 'condition':
        return this.condition(msg);
      case 'probeSettings': {
        const { wakeThreshold, probeSmooth } = msg;
        const stream = this.ctx.streams.get(msg.streamId);
        // A REST stream has no owning connection and no REST route for these settings: any client may set them.
        if (stream.ownerId !== null) this.checkOwner(stream, 'its probe settings');
        stream.live.setProbeSettings({ ...(wakeThreshold === undefined ? {} : { wakeThreshold }), ...(probeSmooth === undefined ? {} : { probeSmooth }) });
        return;
      }
      case 'audio':
        return this.announceAudio(msg);
      case 'stop':
        return this.stop(msg.streamId);
    }
  }

  private async stop(streamId: string): Promise<void> {
    const subscribed = this.ctx.streams.get(streamId).subscribers.has(this);
    await this.ctx.streams.stop(streamId, 'stopped by its client', this.id);
    // Subscribers heard it from the stream; a client that was not subscribed gets its answer here.
    if (!subscribed) this.send({ type: 'stopped', streamId, reason: 'stopped by its client' });
  }

  private subscribe(streamId: string): void {
    const stream = this.ctx.streams.subscribe(streamId, this);
    this.send({ type: 'condition', streamId, condition: stream.condition, conditionVersion: stream.conditionVersion, warnings: stream.warnings });
    this.send({ type: 'probeSettings', streamId, ...stream.probeSettings });
  }

  private async start(msg: MessageOf<'start'>): Promise<void> {
    const wire = parseStreamConfig(msg.config);
    const config = await resolveStreamConfig(wire, this.ctx);
    const stream = await this.ctx.streams.start(wire, config, this.id);
    // The client may have gone while the pipeline was being built.
    if (this.closed) return this.ctx.streams.stop(stream.id, 'owner disconnected');
    this.send({ type: 'started', streamId: stream.id, config: wire, ...idOf(msg) });
    this.ctx.streams.subscribe(stream.id, this);
  }

  private async condition(msg: MessageOf<'condition'>): Promise<void> {
    const stream = this.ctx.streams.get(msg.streamId);
    this.checkOwner(stream, 'its condition', `change its condition with PATCH /api/streams/${msg.streamId}/condition`);
    const condition = mergeCondition(stream.requested, msg.condition);
    checkConditionIds(condition, this.ctx.banks);
    await this.ctx.streams.setCondition(msg.streamId, condition);
  }

  /** NOT_OWNER unless this connection started `stream`: the others watch it read-only. */
  private checkOwner(stream: ManagedStream, what: string, restHint = ''): void {
    if (stream.ownerId === this.id) return;
    throw new Errors.NOT_OWNER(
      stream.ownerId === null
        ? `stream ${stream.id} was started over REST${restHint ? `; ${restHint}` : ''} (subscribers watch it read-only)`
        : `stream ${stream.id} belongs to another WebSocket connection; subscribers watch it read-only, only that connection can change ${what}`,
    );
  }

  private announceAudio(msg: MessageOf<'audio'>): void {
    this.pendingAudio = { streamId: null };
    const stream = this.ctx.streams.get(msg.streamId);
    if (stream.ownerId !== this.id) throw new Errors.NOT_OWNER(`stream ${msg.streamId} was not started by this connection; only its owner can send it audio`);
    if (stream.wire.source.kind !== 'push') throw new Errors.BAD_MESSAGE(`stream ${msg.streamId} plays a ${stream.wire.source.kind} source; audio can only be sent to a "push" stream`);
    this.pendingAudio = { streamId: msg.streamId };
  }

  private onBinary(data: Buffer): void {
    const pending = this.pendingAudio;
    this.pendingAudio = undefined;
    if (pending === undefined) return this.fail(new Errors.BAD_MESSAGE('a binary frame must follow an "audio" message naming its stream'), true);
    if (pending.streamId === null) return; // its "audio" message was refused; the error is sent
    const frame = readBinaryFrame(data);
    if ('problem' in frame) return this.fail(new Errors.BAD_MESSAGE(frame.problem), true, pending.streamId);
    if (frame.kind !== FRAME_KIND.audio) return this.fail(new Errors.BAD_MESSAGE(`pushed audio must be a kind ${FRAME_KIND.audio} frame, got kind ${frame.kind}`), true, pending.streamId);
    const bad = frame.samples.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) return this.fail(new Errors.BAD_MESSAGE(`pushed audio sample ${bad} is ${frame.samples[bad]}; send finite float32 samples`), true, pending.streamId);
    try {
      const stream = this.ctx.streams.get(pending.streamId);
      if (stream.pushBudget?.take(frame.samples.length) === false) return this.pushedTooFast(stream, frame.samples.length);
      // What the pushed audio sets off downstream is the stream's own work.
      runOwnedBy(stream.faultOwner, () => stream.live.push(frame.samples));
    } catch (err) {
      this.fail(err, false, pending.streamId);
    }
  }

  /**
   * Dropped audio is counted in every `stats`; the owner is also told, at most
   * every PUSH_WARN_MS. And this socket is not read until the budget has room
   * again: TCP then slows the sender, so a flood costs the event loop nothing
   * (it would otherwise parse every frame only to drop it).
   */
  private pushedTooFast(stream: ManagedStream, samples: number): void {
    const budget = stream.pushBudget!;
    if (!this.ws.isPaused) {
      this.ws.pause();
      setTimeout(() => this.ws.resume(), Math.min(PUSH_PAUSE_MAX_MS, Math.max(10, budget.waitMs(samples)))).unref();
    }
    const now = performance.now();
    if (now - stream.pushWarnedAtMs < PUSH_WARN_MS) return;
    stream.pushWarnedAtMs = now;
    const why = `audio for stream ${stream.id} arrives faster than ${budget.speed}x real time (server option maxPushSpeed), or in chunks over ${this.ctx.config.pushBurstS} s; ${budget.droppedS.toFixed(2)} s dropped so far. Send audio as it is captured`;
    this.fail(new Errors.PUSH_TOO_FAST(why), false, stream.id);
  }

  private send(message: ServerMessage): void {
    this.outbox.send(jsonFrame(message), false);
  }

  /** Answer with an `error`; `protocol` errors count towards the 1008 close. */
  private fail(err: unknown, protocol: boolean, streamId?: string, id?: string | number): void {
    const known = isEarshotError(err);
    if (!known) this.log.error({ err }, 'WebSocket message failed');
    const code = known ? err.code : errorCode('INTERNAL');
    const message = known ? this.ctx.clientMessage(err.message) : 'internal error; the server log has the details';
    this.send({ type: 'error', code, message, ...(streamId !== undefined ? { streamId } : {}), ...(id !== undefined ? { id } : {}) });
    if (!protocol) return;
    this.ctx.metrics.wsBadFrames.inc();
    const now = Date.now();
    const { maxBadFrames, badFrameWindowMs } = this.ctx.config.ws;
    this.badFrameTimes = [...this.badFrameTimes.filter((t) => now - t < badFrameWindowMs), now];
    if (this.badFrameTimes.length >= maxBadFrames) {
      this.outbox.close(CLOSE.policy, `${maxBadFrames} bad frames within ${badFrameWindowMs / 1000} s`);
      void this.release();
    }
  }
}

function idOf(msg: { id?: string | number }): { id?: string | number } {
  return msg.id === undefined ? {} : { id: msg.id };
}
