import type { ConfigKind } from './config-document';
import { scoringConfig } from '../scoring/points-config';
import { opportunityMappingKind } from '../conversion/opportunity-mapping';
import { opportunityStagesKind } from '../conversion/opportunity-stages';
import { approvalsConfig } from '../lifecycle/approvals-config';
import { nurtureConfig } from '../lifecycle/nurture';
import { routingConfig } from '../lifecycle/routing-config';
import { stagesConfig } from '../lifecycle/stages-config';
import { teamsConfig } from '../lifecycle/teams-config';
import { privacyConfig } from '../privacy/privacy-config';
import { quoteCatalogKind } from '../quotes/catalog';

/**
 * Every configuration served at /config/{name}. Owners of a kind define it next to its domain code
 * and add it here with one line.
 */
export const CONFIG_KINDS: ConfigKind[] = [
  routingConfig,
  teamsConfig,
  stagesConfig,
  approvalsConfig,
  scoringConfig,
  opportunityStagesKind,
  opportunityMappingKind,
  privacyConfig,
  nurtureConfig,
  quoteCatalogKind,
];
