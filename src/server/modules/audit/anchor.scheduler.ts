import type { Executor } from '../../db/executor.ts';
import type { Sealer } from '../../shared/signing.ts';
import type { AuditAnchor } from './audit.rules.ts';
import { anchorAuditHead } from './anchor.service.ts';

/**
 * The server's own anchoring: the head is anchored at start and then every interval, by an unref'd timer (it
 * never keeps the process alive). A failed anchor is logged and the next tick tries again; it never throws
 * into the server.
 */

export interface AnchorSchedulerOptions {
  readonly db: Executor;
  readonly sealer: Sealer;
  /** The anchor log (AUDIT_ANCHOR_FILE). */
  readonly file: string;
  readonly intervalMinutes: number;
  readonly clock: () => Date;
  readonly log: {
    info(object: object, message: string): void;
    error(object: object, message: string): void;
  };
}

export interface AnchorScheduler {
  /** Anchors once now; resolves with the anchor, or null when it failed (and was logged). */
  tick(): Promise<AuditAnchor | null>;
  /** Anchors now, then every interval. */
  start(): void;
  /** Stops the timer and waits for an anchor under way. */
  stop(): Promise<void>;
}

export function createAnchorScheduler(options: AnchorSchedulerOptions): AnchorScheduler {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<AuditAnchor | null> | undefined;
  let stopped = false;

  const anchorOnce = async (): Promise<AuditAnchor | null> => {
    try {
      const anchor = await anchorAuditHead(options.db, options.sealer, options.file, options.clock());
      options.log.info({ seq: anchor.seq, hash: anchor.hash, file: options.file }, 'audit chain anchored');
      return anchor;
    } catch (error) {
      options.log.error({ err: error, file: options.file }, 'audit chain anchor failed');
      return null;
    }
  };
  const tick = (): Promise<AuditAnchor | null> => {
    // One at a time: a tick while one is under way shares it.
    running ??= anchorOnce().finally(() => (running = undefined));
    return running;
  };

  return {
    tick,
    start() {
      if (timer || stopped) return;
      void tick();
      timer = setInterval(() => void tick(), options.intervalMinutes * 60_000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
