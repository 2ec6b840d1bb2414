/**
 * GetWorkGroup and ListWorkGroups: the organization is the workgroup (DESIGN.md naming), with its
 * results location as the workgroup's OutputLocation, so clients that send no OutputLocation (or
 * only a workgroup) write where the organization may. `primary` is accepted as its alias.
 */
import type { Organization } from '../../../control/control-store.ts';
import { ENGINE_VERSION, epochSeconds } from '../execution-view.ts';
import { orgResultsLocation } from '../result-location.ts';
import { TOKEN, WORK_GROUP_NAME } from '../validate.ts';
import { page, resolveWorkGroup, type OperationDef } from './context.ts';

function summary(org: Organization, name = org.name) {
  return {
    Name: name,
    State: 'ENABLED',
    Description: `Organization ${org.name}`,
    CreationTime: epochSeconds(org.createdAt),
    EngineVersion: ENGINE_VERSION,
  };
}

const getWorkGroup: OperationDef = {
  cls: 'metadata',
  async run(ctx, input) {
    const name = input.string('WorkGroup', { required: true, pattern: WORK_GROUP_NAME });
    const org = ctx.caller.org;
    resolveWorkGroup(name, org);
    const { EngineVersion, ...rest } = summary(org, name);
    return {
      WorkGroup: {
        ...rest,
        Configuration: {
          ResultConfiguration: { OutputLocation: orgResultsLocation(org.name) },
          EnforceWorkGroupConfiguration: false,
          PublishCloudWatchMetricsEnabled: false,
          RequesterPaysEnabled: false,
          EngineVersion,
        },
      },
    };
  },
};

const listWorkGroups: OperationDef = {
  cls: 'metadata',
  async run(ctx, input) {
    const max = input.integer('MaxResults', { min: 1, max: 50 }) ?? 50;
    const p = page(ctx, 'workgroups', [summary(ctx.caller.org)], max, input.string('NextToken', TOKEN));
    return { WorkGroups: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  },
};

export const WORKGROUP_OPERATIONS: Record<string, OperationDef> = {
  GetWorkGroup: getWorkGroup,
  ListWorkGroups: listWorkGroups,
};
