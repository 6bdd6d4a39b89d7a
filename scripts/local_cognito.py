#!/usr/bin/env python3
"""The local staff user pool, in moto's Cognito (cognito-idp), as `make run` sets it up.

    local_cognito.py setup

moto keeps Cognito in memory, so this runs at every start: the user pool `cafe-menu-staff`
(admin-created users only, the template's password policy when template.yaml declares the pool),
the website's app client `cafe-menu-website` (user-password, refresh and SRP sign-in), the group
`staff`, a demo staff member (STAFF_USERNAME, default barista) in it, and a signed-in user who is
NOT staff (NON_STAFF_USERNAME, default visitor) for the tests. Passwords are fixed defaults (this
pool exists only on this machine), overridable with STAFF_PASSWORD and NON_STAFF_PASSWORD.

It appends to run.env ($CAFE_LOCAL_DIR, default .local/) what the gateway, the login stand-in,
the tests and the banner need: COGNITO_ENDPOINT, USER_POOL_ID, USER_POOL_CLIENT_ID, JWT_ISSUER
(moto's `iss`: the AWS form, https://cognito-idp.us-east-1.amazonaws.com/<pool id>), the two
users, and WEBSITE_LOGIN_URL (what the website's COGNITO_LOGIN_BASE_URL_STR would be locally:
the login stand-in with the client id, the implicit flow and WEBSITE_CALLBACK_URL, default
http://localhost:8080/callback.html).
"""
import os
import sys
import urllib.parse

import boto3

from local_gateway import ENV_FILE, load_template, settings

REGION = "us-east-1"
POOL_NAME, CLIENT_NAME, STAFF_GROUP = "cafe-menu-staff", "cafe-menu-website", "staff"
AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
# Used when template.yaml declares no user pool (or sets the policy with expressions).
DEFAULT_PASSWORD_POLICY = {"MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": True,
                           "RequireNumbers": True, "RequireSymbols": False, "TemporaryPasswordValidityDays": 7}


def template_password_policy():
    """The template's user pool password policy, its literal values over the defaults."""
    for resource in load_template()["Resources"].values():
        if resource.get("Type") == "AWS::Cognito::UserPool":
            declared = resource.get("Properties", {}).get("Policies", {}).get("PasswordPolicy", {})
            literal = {k: v for k, v in declared.items() if not isinstance(v, dict)}
            return {**DEFAULT_PASSWORD_POLICY, **literal}
    return DEFAULT_PASSWORD_POLICY


def user_pool(cognito):
    """The pool's id: the one of this name if it exists (setup run twice), else a new one."""
    for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        if pool["Name"] == POOL_NAME:
            return pool["Id"]
    return cognito.create_user_pool(
        PoolName=POOL_NAME, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Policies={"PasswordPolicy": template_password_policy()},
        UsernameConfiguration={"CaseSensitive": False})["UserPool"]["Id"]


def app_client(cognito, pool_id):
    for client in cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]:
        if client["ClientName"] == CLIENT_NAME:
            return client["ClientId"]
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=CLIENT_NAME, GenerateSecret=False,
                                           ExplicitAuthFlows=AUTH_FLOWS)["UserPoolClient"]["ClientId"]


def ensure_user(cognito, pool_id, username, password, groups):
    """A confirmed user with this permanent password, in these groups."""
    try:
        cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": f"{username}@cafe.invalid"},
                                                  {"Name": "email_verified", "Value": "true"}])
    except cognito.exceptions.UsernameExistsException:
        pass
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def setup(env):
    endpoint = f"http://127.0.0.1:{env['S3_PORT']}"  # moto_server serves every service on its port
    cognito = boto3.client("cognito-idp", endpoint_url=endpoint, region_name=REGION,
                           aws_access_key_id="local", aws_secret_access_key="local")
    pool_id = user_pool(cognito)
    client_id = app_client(cognito, pool_id)
    try:
        cognito.create_group(UserPoolId=pool_id, GroupName=STAFF_GROUP, Description="may change the menu")
    except cognito.exceptions.GroupExistsException:
        pass
    staff = (os.environ.get("STAFF_USERNAME", "barista"), os.environ.get("STAFF_PASSWORD", "Barista-local-1"))
    visitor = (os.environ.get("NON_STAFF_USERNAME", "visitor"), os.environ.get("NON_STAFF_PASSWORD", "Visitor-local-1"))
    ensure_user(cognito, pool_id, *staff, [STAFF_GROUP])
    ensure_user(cognito, pool_id, *visitor, [])
    callback = os.environ.get("WEBSITE_CALLBACK_URL", "http://localhost:8080/callback.html")
    login_url = f"http://127.0.0.1:{env['LOGIN_PORT']}/login?" + urllib.parse.urlencode(
        {"client_id": client_id, "response_type": "token", "scope": "openid email profile", "redirect_uri": callback})
    values = {"COGNITO_ENDPOINT": endpoint, "USER_POOL_ID": pool_id, "USER_POOL_CLIENT_ID": client_id,
              "JWT_ISSUER": f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}",
              "STAFF_USERNAME": staff[0], "STAFF_PASSWORD": staff[1],
              "NON_STAFF_USERNAME": visitor[0], "NON_STAFF_PASSWORD": visitor[1], "WEBSITE_LOGIN_URL": login_url}
    with ENV_FILE.open("a") as f:
        f.writelines(f"{k}={v}\n" for k, v in values.items())


if __name__ == "__main__":
    if sys.argv[1:] != ["setup"]:
        sys.exit(__doc__)
    setup(settings())
