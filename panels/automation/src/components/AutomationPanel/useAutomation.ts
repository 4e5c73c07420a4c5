import { getBackendSrv } from '@grafana/runtime';
import { useCallback, useEffect, useRef, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { describeError, type Problem } from '../../data/errors';
import { parseEvents, parseStatus, type AutomationEvent, type AutomationStatus } from '../../data/model';
import {
  commandKey,
  commandLabel,
  commandRequest,
  eventsRequest,
  statusRequest,
  type ApiRequest,
  type Command,
} from '../../data/requests';

export interface AutomationState {
  status?: AutomationStatus;
  events?: AutomationEvent[];
  /** the last read failed (the last good state stays shown) */
  readProblem?: Problem;
  /** the last command failed */
  commandProblem?: { what: string; problem: Problem };
  /** the command in flight, by `commandKey` */
  busy?: string;
  /** browser time of the last good read */
  updatedAt?: number;
}

/** One call through Grafana's backendSrv, without its error pop-ups: the panel shows errors itself. */
async function call<T>(req: ApiRequest): Promise<T> {
  const res = await lastValueFrom(getBackendSrv().fetch<T>({ ...req, showErrorAlert: false, showSuccessAlert: false }));
  return res.data;
}

export interface PollOptions {
  pollMs: number;
  range: { from: number; to: number; raw?: { from: unknown; to: unknown } };
  /** undefined: the actions are not shown, so not read */
  actionsLimit?: number;
  role?: string;
}

/**
 * The automation state of one Plenum data source, read every `pollMs` (a read still in flight is not started again)
 * and at once after each command; commands go to the operate route. Nothing is read without a data source uid.
 */
export function useAutomation(uid: string | undefined, opts: PollOptions) {
  const [state, setState] = useState<AutomationState>({});
  const alive = useRef(true);
  const reading = useRef(false);
  const { pollMs, actionsLimit, role } = opts;
  const { from, to } = opts.range;
  const rawFrom = opts.range.raw?.from;
  const rawTo = opts.range.raw?.to;

  const refresh = useCallback(async () => {
    if (!uid || reading.current) {
      return;
    }
    reading.current = true;
    try {
      const range = { from, to, raw: { from: rawFrom, to: rawTo } };
      const [status, events] = await Promise.all([
        call<unknown>(statusRequest(uid)).then(parseStatus),
        actionsLimit === undefined
          ? Promise.resolve(undefined)
          : call<unknown>(eventsRequest(uid, range, actionsLimit)).then(parseEvents),
      ]);
      if (alive.current) {
        setState((s) => ({ ...s, status, events, readProblem: undefined, updatedAt: Date.now() }));
      }
    } catch (err) {
      if (alive.current) {
        setState((s) => ({ ...s, readProblem: describeError(err, { route: 'read', role }) }));
      }
    } finally {
      reading.current = false;
    }
  }, [uid, from, to, rawFrom, rawTo, actionsLimit, role]);

  useEffect(() => {
    alive.current = true;
    void refresh();
    const timer = setInterval(() => void refresh(), Math.max(1000, pollMs));
    return () => {
      alive.current = false;
      clearInterval(timer);
    };
  }, [refresh, pollMs]);

  const run = useCallback(
    async (cmd: Command): Promise<boolean> => {
      if (!uid) {
        return false;
      }
      setState((s) => ({ ...s, busy: commandKey(cmd), commandProblem: undefined }));
      let ok = false;
      try {
        await call<unknown>(commandRequest(uid, cmd));
        ok = true;
      } catch (err) {
        if (alive.current) {
          const problem = describeError(err, { route: 'operate', role });
          setState((s) => ({ ...s, commandProblem: { what: commandLabel(cmd), problem } }));
        }
      } finally {
        if (alive.current) {
          setState((s) => ({ ...s, busy: undefined }));
        }
      }
      // wait for a read in flight, so the one after the command shows its effect
      for (let i = 0; i < 50 && reading.current; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await refresh();
      return ok;
    },
    [uid, role, refresh]
  );

  const dismiss = useCallback(() => setState((s) => ({ ...s, commandProblem: undefined })), []);
  return { ...state, run, refresh, dismiss };
}
