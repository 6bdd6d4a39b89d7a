#!/usr/bin/env bash
# Puts the staff page (staff/) on a deployed stack: under staff/ in the upload bucket, which only
# the stack's CloudFront distribution may read (origin access control), with the page's settings
# (config.json: the API's own URL, the app client, the managed login, the website where the
# products' pictures are) made from the stack's
# outputs, then invalidates /staff/* so the new files show at once.
#   scripts/deploy-staff-page.sh STACK [REGION]
# With the café's own user pool (ExistingUserPoolId) the stack has no WebsiteLoginUrl output: give
# the pool's managed login as CAFE_LOGIN_URL=https://<the pool's domain>/login.
# Needs the AWS CLI with credentials allowed cloudformation:DescribeStacks/DescribeStackResource,
# s3:PutObject/DeleteObject/ListBucket on the bucket and cloudfront:CreateInvalidation.
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:?usage: scripts/deploy-staff-page.sh STACK [REGION]}
region=${2:-${AWS_REGION:-us-east-1}}
output() {
  aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text
}
parameter() {
  aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
    --query "Stacks[0].Parameters[?ParameterKey=='$1'].ParameterValue | [0]" --output text
}
page=$(output StaffPageUrl)
if [ "$(parameter StaffPageUrl)" != "$page" ]; then
  echo "the stack does not know its staff page's address yet: deploy once more with" >&2
  echo "  sam deploy --guided   (StaffPageUrl: $page; docs/deploy.md, step 6)" >&2
  echo "so that the sign-in accepts it as a callback and the bucket lets it upload menu files." >&2
  exit 1
fi
login=${CAFE_LOGIN_URL:-$(output WebsiteLoginUrl)}; login=${login%%\?*}
if [ -z "$login" ] || [ "$login" = None ]; then
  echo "the stack has no WebsiteLoginUrl output (it uses the café's own user pool): give the pool's" >&2
  echo "managed login, CAFE_LOGIN_URL=https://<the pool's domain>/login $0 $stack $region" >&2
  exit 1
fi
config=$(mktemp)
trap 'rm -f "$config"' EXIT
cat > "$config" <<JSON
{"api_url": "$(output ApiUrl)", "login_url": "$login", "logout_url": "${login%/login}/logout",
 "client_id": "$(output UserPoolClientId)", "freshness_seconds": $(parameter FreshnessSeconds),
 "website_url": "$(callback=$(parameter WebsiteCallbackUrl); echo "${callback%/callback.html}")"}
JSON
bucket=$(output UploadBucketName)
aws s3 sync staff/ "s3://$bucket/staff/" --region "$region" --delete --exclude 'test/*' --cache-control 'max-age=300'
aws s3 cp "$config" "s3://$bucket/staff/config.json" --region "$region" --content-type application/json --cache-control 'max-age=60'
distribution=$(aws cloudformation describe-stack-resource --region "$region" --stack-name "$stack" \
  --logical-resource-id MenuDistribution --query StackResourceDetail.PhysicalResourceId --output text)
aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/staff*' >/dev/null
echo "the staff page: $page"
