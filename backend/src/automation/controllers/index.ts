/** The built-in controllers a rule names with `controller:`; their options are validated when installed. */
import type { Point } from '@plenum/model';
import type { AutomationConfig, RuleConfig } from '../config';
import type { Decider } from '../decider';
import { CoolingFault, CoolingFaultOptions } from './cooling-fault';
import { FeedForward, FeedForwardOptions } from './feed-forward';

export interface ControllerContext {
  site: string;
  /** the first hall of the site, the controllers' default */
  hall: string;
  points(): Point[];
  config: AutomationConfig;
}

export type ControllerFactory = (rule: RuleConfig, ctx: ControllerContext) => Decider;

export const CONTROLLERS: Readonly<Record<NonNullable<RuleConfig['controller']>, ControllerFactory>> = {
  'feed-forward': (rule, ctx) => new FeedForward(rule, ctx.site, ctx.hall),
  'cooling-fault': (rule, ctx) => new CoolingFault(rule, ctx.site, ctx.hall),
};

/** The options schema of each controller, for validation with the rule's path. */
export const CONTROLLER_OPTIONS = { 'feed-forward': FeedForwardOptions, 'cooling-fault': CoolingFaultOptions } as const;
