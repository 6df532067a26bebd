import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ApplicationFailure } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import type { ActivityDeps } from '../../activities/deps';
import { createOrganizationActivities } from '../../activities/organization';
import { startOrganizationInstallBody } from '../../client/api/schemas';
import { explainError } from '../../domain/error-catalog';
import {
  isValidOrganizationalUnitId,
  isValidOrganizationInstallId,
  maxOrganizationInstallIdLength,
  organizationInstallBounds,
} from '../../domain/organization-install';
import { fakeSessions, quietActivityEnvironment } from './aws-fakes';

describe('organization install input bounds', () => {
  it('takes an id of 23 characters and refuses 24, since member install ids append -<account>', () => {
    expect(isValidOrganizationInstallId('a'.repeat(maxOrganizationInstallIdLength))).toBe(true);
    expect(isValidOrganizationInstallId('a'.repeat(maxOrganizationInstallIdLength + 1))).toBe(false);
    expect(isValidOrganizationInstallId('')).toBe(false);
  });

  it('refuses OU ids of the wrong shape or length, a megabyte long one included', () => {
    expect(isValidOrganizationalUnitId('ou-ab12-cdef3456')).toBe(true);
    expect(isValidOrganizationalUnitId('r-abcd')).toBe(true);
    expect(isValidOrganizationalUnitId(`ou-ab12-${'c'.repeat(61)}`)).toBe(false);
    expect(isValidOrganizationalUnitId('ou-AB12-cdef3456')).toBe(false);
    expect(isValidOrganizationalUnitId(`ou-${'a'.repeat(1_000_000)}-`)).toBe(false);
  });

  it('bounds the OU list in the API body to the same count the workflow keeps', () => {
    const { organizationalUnitIds } = startOrganizationInstallBody.properties as unknown as Record<
      string,
      { maxItems?: number; minItems?: number }
    >;
    expect(organizationalUnitIds).toMatchObject({
      minItems: 1,
      maxItems: organizationInstallBounds.maxOrganizationalUnits,
    });
  });
});

/**
 * listOrganizationMembers against a mocked Organizations API (the error paths need an organization larger than the
 * emulator test builds): the account and OU ceilings hold at their bound and refuse one more, catalogued.
 */
describe("the organization's listing bounds", () => {
  const organizations = mockClient(OrganizationsClient);
  const access = {
    installId: 'org-1',
    roleArn: 'arn:aws:iam::222222222222:role/m',
    externalId: 'e'.repeat(48),
    region: 'us-east-1',
  };
  const account = (index: number, Status: 'ACTIVE' | 'SUSPENDED' = 'ACTIVE') => ({
    Id: String(100000000000 + index),
    Status,
  });

  /** The members listed under one OU holding `accounts`, and `below` OUs under it (each empty), 20 per page. */
  async function list(accounts: ReturnType<typeof account>[], below = 0) {
    organizations.reset();
    const children = Array.from({ length: below }, (_, index) => ({ Id: `ou-abcd-${String(index).padStart(8, '0')}` }));
    organizations.on(ListOrganizationalUnitsForParentCommand).callsFake(({ ParentId, NextToken }) => {
      if (ParentId !== 'ou-abcd-root0000') return { OrganizationalUnits: [] };
      const start = Number(NextToken ?? 0);
      const next = start + 20 < children.length ? String(start + 20) : undefined;
      return { OrganizationalUnits: children.slice(start, start + 20), NextToken: next };
    });
    organizations.on(ListAccountsForParentCommand).callsFake(({ ParentId }) => ({
      Accounts: ParentId === 'ou-abcd-root0000' ? accounts : [],
    }));
    const { listOrganizationMembers } = createOrganizationActivities({
      sessions: fakeSessions({ organizations: new OrganizationsClient({ region: 'us-east-1' }) }),
    } as unknown as ActivityDeps);
    return quietActivityEnvironment()
      .run(listOrganizationMembers, {
        access,
        organizationalUnitIds: ['ou-abcd-root0000'],
        maxAccounts: organizationInstallBounds.maxAccounts,
      })
      .catch((error: unknown) => error);
  }

  it(`takes ${organizationInstallBounds.maxAccounts} active accounts, not counting a suspended one, and refuses one more`, async () => {
    const max = organizationInstallBounds.maxAccounts;
    const atBound = await list([
      ...Array.from({ length: max }, (_, index) => account(index)),
      account(max, 'SUSPENDED'),
    ]);
    expect((atBound as { accountIds: string[] }).accountIds).toHaveLength(max);
    const over = await list(Array.from({ length: max + 1 }, (_, index) => account(index)));
    expect(over).toBeInstanceOf(ApplicationFailure);
    expect(over).toMatchObject({ type: 'TooManyMemberAccounts', nonRetryable: true });
    expect(explainError({ code: (over as ApplicationFailure).type!, message: '' }).code).toBe(
      'too_many_member_accounts',
    );
  });

  it(`reads at most ${organizationInstallBounds.maxOrganizationalUnitsRead} OUs, the chosen ones included`, async () => {
    const max = organizationInstallBounds.maxOrganizationalUnitsRead;
    const atBound = await list([account(1)], max - 1);
    expect(atBound).toEqual({ accountIds: [account(1).Id] });
    const over = await list([account(1)], max);
    expect(over).toMatchObject({ type: 'TooManyOrganizationalUnits', nonRetryable: true });
  });
});
