// Converters for served versions that are not their resource's storage version (see `storage` in the catalog).
import type { VersionConverter } from '../policy.js';
import { eventsV1Converter } from './event.js';
import { hpaV1Converter } from './hpa.js';

const CONVERTERS: Record<string, VersionConverter> = {
  'autoscaling/v1/HorizontalPodAutoscaler': hpaV1Converter,
  'events.k8s.io/v1/Event': eventsV1Converter,
};

export function converterFor(group: string, version: string, kind: string): VersionConverter | undefined {
  return CONVERTERS[`${group}/${version}/${kind}`];
}
