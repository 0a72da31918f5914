import { Validations } from 'aws-cdk-lib';
import type { CfnPolicy, IRole } from 'aws-cdk-lib/aws-iam';
import { rules } from 'cdk-nag';

/**
 * Acknowledges, on `role`'s default policy, the wildcard findings (cdk-nag AwsSolutions-IAM5)
 * for which `reasonFor` gives a reason, exactly as cdk-nag's own rule reports them; every other
 * wildcard still fails the check. How a cross-stack ARN renders in a finding is known only once
 * the app is prepared, so this runs then (construct validation runs after preparation, before
 * cdk-nag).
 */
export function acknowledgeWildcardFindings(role: IRole, reasonFor: (finding: string) => string | undefined): void {
  role.node.addValidation({
    validate: () => {
      const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnPolicy | undefined;
      if (!policy) return [];
      const findings = rules.iam.IAMNoWildcardPermissions(policy);
      if (!Array.isArray(findings)) return [];
      for (const finding of findings) {
        const reason = reasonFor(finding);
        if (reason) Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
      }
      return [];
    },
  });
}

/**
 * A prefix grant's object ARN, `<bucket ARN>/<prefix>*` (grantBucketPrefixes.ts), is a wildcard
 * resource to cdk-nag by design: acknowledged for each of `prefixes` (read when the app is
 * validated), naming `who` in the reason.
 */
export function acknowledgePrefixGrants(role: IRole, prefixes: () => Iterable<string>, who: string): void {
  acknowledgeWildcardFindings(role, (finding) => {
    const prefix = [...prefixes()].find((candidate) => finding.startsWith('Resource::') && finding.endsWith(`/${candidate}*`));
    return (
      prefix &&
      `Objects under ${prefix} only, with exact actions (no action wildcard): the least privilege of ${who} (infra/stacks/functionAccess.ts).`
    );
  });
}
