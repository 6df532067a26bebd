import type { KitFile } from '../../../domain/onboarding-kit';
import type { OnboardingArtifacts } from '../../../domain/onboarding-artifacts';
import type { InstallStatus } from '../../../workflows/definitions';
import { progressPayload } from './progress-hub';
import { customerView, describePolicy, escapeHtml, type CustomerRequest, type PermissionGroup } from './view';

/** No inline script or style, nothing from another origin; the page talks only to this API. */
export const customerPageCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const fileWords: Record<string, string> = {
  'create-role.sh': 'AWS CLI script',
  'install-access-role.tf': 'Terraform file',
  'role-template.json': 'CloudFormation template',
  'trust-policy.json': 'Trust policy (JSON)',
  'provision-policy.json': 'Provision policy (JSON)',
  'deprovision-policy.json': 'Deprovision policy (JSON)',
  'update-role-stack.sh': 'Update the role stack (AWS CLI)',
  'update-trust-policy.sh': 'Update the trust policy (AWS CLI)',
};

const utc = (at: string) =>
  at
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
    .replace(/Z$/, ' UTC');

/** The requests an install makes of the customer after onboarding, first on the page: each with its files. */
function renderRequests(requests: CustomerRequest[], files: KitFile[], fileUrl: (name: string) => string): string {
  if (requests.length === 0) return '';
  const items = requests.map((request) => {
    const links = request.files
      .filter((name) => files.some((file) => file.name === name))
      .map(
        (name) =>
          `<li><a href="${escapeHtml(fileUrl(name))}" download="${escapeHtml(name)}">${escapeHtml(fileWords[name] ?? name)}</a> <span class="file-name">(${escapeHtml(name)})</span></li>`,
      );
    return (
      `<li class="request" data-request="${escapeHtml(request.id)}"><h3>${escapeHtml(request.title)}</h3>` +
      (request.why ? `<p>${escapeHtml(request.why)}</p>` : '') +
      `<p><span class="label">What to do:</span> ${escapeHtml(request.action)}</p>` +
      (request.until
        ? `<p>By ${escapeHtml(utc(request.until))}; after that the install keeps the current one.</p>`
        : '') +
      (request.newExternalId
        ? `<p><span class="label">New External ID:</span> <code>${escapeHtml(request.newExternalId)}</code></p>`
        : '') +
      (request.actions?.length
        ? `<ul class="statements">${request.actions.map((action) => `<li><code>${escapeHtml(action)}</code></li>`).join('')}</ul>`
        : '') +
      (links.length ? `<ul class="downloads">${links.join('')}</ul>` : '') +
      '</li>'
    );
  });
  return `<section aria-labelledby="requests-title" class="requests">
<h2 id="requests-title">Asked of you now</h2>
<ul class="requests">${items.join('')}</ul>
</section>
`;
}

function renderGroups(policyName: string, groups: PermissionGroup[]): string {
  const items = groups.map(
    (group) =>
      `<li><h4>${escapeHtml(group.title)}</h4><p>${escapeHtml(group.why)}</p>` +
      `<details><summary>The ${escapeHtml(String(group.statements.reduce((n, s) => n + s.actions.length, 0)))} actions, and where</summary><ul class="statements">` +
      group.statements
        .map(
          (statement) =>
            `<li><code>${statement.actions.map(escapeHtml).join('</code>, <code>')}</code> on <code>${statement.resources.map(escapeHtml).join('</code>, <code>')}</code></li>`,
        )
        .join('') +
      '</ul></details></li>',
  );
  return `<h3>${escapeHtml(policyName)}</h3><ul class="groups">${items.join('')}</ul>`;
}

/**
 * The customer's onboarding page, rendered whole on the server: every string escaped, the script and style from
 * /customer/assets. Without script it still shows everything but the live updates.
 */
export function renderCustomerPage(options: {
  status: InstallStatus;
  artifacts: OnboardingArtifacts;
  files: KitFile[];
  /** Where the page's links, form and stream go, each carrying the link's token. */
  urls: { file: (name: string) => string; roleArn: string; events: string };
  expiresAt: string;
}): string {
  const { status, artifacts } = options;
  const view = customerView(status);
  const payload = progressPayload(view);
  const downloads = ['create-role.sh', 'install-access-role.tf', 'role-template.json']
    .filter((name) => options.files.some((file) => file.name === name))
    .map(
      (name) =>
        `<li><a href="${escapeHtml(options.urls.file(name))}" download="${escapeHtml(name)}">${escapeHtml(fileWords[name] ?? name)}</a> <span class="file-name">(${escapeHtml(name)})</span></li>`,
    );
  const policies = options.files
    .filter((file) => file.name.endsWith('-policy.json'))
    .map(
      (file) =>
        `<li><a href="${escapeHtml(options.urls.file(file.name))}" download="${escapeHtml(file.name)}">${escapeHtml(fileWords[file.name] ?? file.name)}</a></li>`,
    );
  const title = `Connect AWS account ${status.awsAccountId}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="/customer/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/customer/assets/page.css">
<script src="/customer/assets/page.js" defer></script>
</head>
<body data-phase="${escapeHtml(payload.phase)}" data-events="${escapeHtml(options.urls.events)}" data-finished="${payload.finished}">
<a class="skip" href="#role-arn">Skip to the role ARN box</a>
<main>
<header>
<h1>${escapeHtml(title)}</h1>
<p>Install <code>${escapeHtml(status.installId)}</code> in region <code>${escapeHtml(status.region)}</code>. To set it up, the vendor needs a role in your account that it can assume with the External ID below. Create it one of three ways, then paste its ARN. This link works until ${escapeHtml(utc(options.expiresAt))}.</p>
</header>
${renderRequests(view.requests, options.files, options.urls.file)}
<section aria-labelledby="permissions-title">
<h2 id="permissions-title">1. What the vendor asks for, and why</h2>
<p>The role <code>${escapeHtml(artifacts.roleName)}</code> has two policies. Every action is limited to this install's resources where AWS allows it; the role may read only its own policies, so keep its name.</p>
${artifacts.permissionsBoundary ? `<p>Its permissions boundary is the managed policy <code>${escapeHtml(artifacts.permissionsBoundary)}</code>, which caps what the two policies grant; it must exist before you create the role.</p>\n` : ''}${renderGroups('Provision policy: used while setting up and running the install', describePolicy(artifacts.provisionPolicy))}
${renderGroups('Deprovision policy: used only when the install is removed', describePolicy(artifacts.deprovisionPolicy))}
<p>The policies as JSON:</p>
<ul class="downloads">${policies.join('')}</ul>
</section>

<section aria-labelledby="external-id-title">
<h2 id="external-id-title">2. The External ID</h2>
<p>The role's trust policy lets the vendor in only with this value; it is filled in for you by the options below.</p>
<div class="copy-row">
<label for="external-id">External ID</label>
<input id="external-id" type="text" readonly value="${escapeHtml(artifacts.externalId)}">
<button type="button" id="copy-external-id" data-copy="external-id">Copy</button>
<span id="copy-status" class="copy-status" role="status"></span>
</div>
</section>

<section aria-labelledby="create-title">
<h2 id="create-title">3. Create the role</h2>
<p><a class="button" id="quick-create" href="${escapeHtml(artifacts.quickCreateUrl)}" target="_blank" rel="noopener noreferrer">Create the role in the AWS console</a> (CloudFormation, with everything filled in${status.onboarding?.callback?.state === 'open' ? '; the stack reports the role back, so you do not need to paste its ARN' : ''}).</p>
<p>Or, if you prefer, download and run:</p>
<ul class="downloads">${downloads.join('')}</ul>
</section>

<section aria-labelledby="role-arn-title">
<h2 id="role-arn-title">4. Paste the role ARN</h2>
<form id="role-arn-form" method="post" action="${escapeHtml(options.urls.roleArn)}" novalidate>
<label for="role-arn">Role ARN</label>
<p id="role-arn-hint" class="hint">Shown on the role's page in the IAM console, e.g. <code>arn:aws:iam::${escapeHtml(status.awsAccountId)}:role/${escapeHtml(artifacts.roleName)}</code></p>
<input id="role-arn" name="roleArn" type="text" autocomplete="off" spellcheck="false" aria-describedby="role-arn-hint role-result" required>
<button type="submit" id="submit-role-arn">Check and use this role</button>
</form>
<div id="role-result" class="role-result">${payload.roleResultHtml}</div>
</section>

<section aria-labelledby="progress-title">
<h2 id="progress-title">5. Progress</h2>
<div id="progress">${payload.progressHtml}</div>
<p id="announcer" class="announcer" role="status" aria-live="polite" aria-atomic="true">${escapeHtml(payload.announcement)}</p>
</section>
</main>
</body>
</html>
`;
}
