#!/usr/bin/env python3
"""The local stand-in for Cognito's managed login (moto has none), on LOGIN_PORT (9200).

    GET  /login?client_id=…&response_type=token&scope=…&redirect_uri=…[&state=…]
         the sign-in form
    POST /login?(the same)
         signs in against moto's user pool (InitiateAuth, USER_PASSWORD_AUTH) and redirects, as
         the managed login's implicit flow does, to
         redirect_uri#id_token=…&access_token=…&expires_in=…&token_type=Bearer[&state=…]
         (in that order: the café website's callback.html cuts the fragment at `&access_token=`)
    GET  /logout?client_id=…&logout_uri=…
         redirects to logout_uri (there is no session to end: the stand-in keeps none)

It refuses an unknown client_id, a response_type other than `token` (the authorization code flow
is not stood in) and a redirect_uri or logout_uri that is not on a loopback host. That is looser
than Cognito, which accepts only the app client's registered callback and sign-out URLs; any
loopback host and port is accepted here so that the website can be served from anywhere local.
A wrong username or password shows the form again with Cognito's message and nothing else (not
whether the user exists). No hosted-UI session cookie, no CSRF token, no MFA, no sign-up.

Settings come from run.env in $CAFE_LOCAL_DIR (default .local/), which `make run` writes.
"""
import datetime
import html
import http.server
import ipaddress
import sys
import urllib.parse

import boto3

from local_gateway import settings

INCORRECT = "Incorrect username or password."

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Café staff</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 0; background: #f6f1ea; color: #2b2118; }}
  main {{ max-width: 22rem; margin: 3rem auto; padding: 1.5rem; background: #fff; border-radius: .5rem;
          box-shadow: 0 1px 4px rgba(0,0,0,.15); }}
  h1 {{ font-size: 1.4rem; margin: 0 0 1rem; }}
  label {{ display: block; font-weight: 600; margin: 1rem 0 .3rem; }}
  input {{ box-sizing: border-box; width: 100%; padding: .6rem; font-size: 1rem; border: 1px solid #8a7a6a;
           border-radius: .3rem; }}
  input:focus, button:focus {{ outline: 3px solid #1a5fb4; outline-offset: 1px; }}
  button {{ margin-top: 1.4rem; width: 100%; padding: .7rem; font-size: 1rem; font-weight: 600; color: #fff;
            background: #6b3e1e; border: 0; border-radius: .3rem; cursor: pointer; }}
  .error {{ color: #a51d2d; background: #fbe9eb; padding: .6rem; border-radius: .3rem; }}
  .note {{ font-size: .8rem; color: #5e5246; margin-top: 1.5rem; }}
  @media (max-width: 400px) {{ main {{ margin: 0; border-radius: 0; box-shadow: none; min-height: 100vh; }} }}
</style></head>
<body><main>
<h1>Sign in to the café</h1>
{error}
<form method="post" action="{action}">
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false"
         required value="{username}"{username_focus}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required{password_focus}>
  <button type="submit">Sign in</button>
</form>
<p class="note">Local stand-in for Cognito's sign-in page (make run).</p>
</main></body></html>
"""


def is_loopback(url):
    """An http(s) URL on localhost or a loopback address."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def tokens_fragment(result, scope, state):
    """The managed login's implicit-flow fragment: id_token first (with the openid scope), then
    access_token, expires_in, token_type, and state when the request had one."""
    fields = []
    if "openid" in scope.split():
        fields.append(("id_token", result["IdToken"]))
    fields += [("access_token", result["AccessToken"]), ("expires_in", str(result["ExpiresIn"])), ("token_type", "Bearer")]
    if state is not None:
        fields.append(("state", state))
    return urllib.parse.urlencode(fields, safe="")


class Login(http.server.BaseHTTPRequestHandler):
    env = {}
    cognito = None

    def query(self):
        return {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).items()}

    def refusal(self, query, uri_name):
        """Why this request may not sign in (None when it may)."""
        if query.get("client_id") != self.env["USER_POOL_CLIENT_ID"]:
            return "Unknown client_id: this sign-in page serves only the café website's app client."
        if uri_name == "redirect_uri" and query.get("response_type") != "token":
            return ("Only response_type=token (the implicit flow, tokens in the URL fragment) is stood in "
                    "locally; the authorization code flow is not.")
        if not is_loopback(query.get(uri_name, "")):
            return (f"{uri_name} must be on this machine (localhost or a loopback address) locally; "
                    "on AWS it must be one of the app client's registered URLs.")
        return None

    def do_GET(self):
        path, query = urllib.parse.urlsplit(self.path).path, self.query()
        if path == "/login":
            why = self.refusal(query, "redirect_uri")
            return self.page(400, error=why) if why else self.page(200)
        if path == "/logout":
            why = self.refusal(query, "logout_uri")
            return self.page(400, error=why) if why else self.redirect(query["logout_uri"])
        self.page(404, error="Not found.")

    def do_POST(self):
        query = self.query()
        if urllib.parse.urlsplit(self.path).path != "/login":
            return self.page(404, error="Not found.")
        if why := self.refusal(query, "redirect_uri"):
            return self.page(400, error=why)
        length = int(self.headers.get("content-length") or 0)
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode(errors="replace")).items()}
        username = form.get("username", "")
        try:
            answer = self.cognito.initiate_auth(ClientId=query["client_id"], AuthFlow="USER_PASSWORD_AUTH",
                                                AuthParameters={"USERNAME": username, "PASSWORD": form.get("password", "")})
        except (self.cognito.exceptions.NotAuthorizedException, self.cognito.exceptions.UserNotFoundException,
                self.cognito.exceptions.InvalidParameterException):
            return self.page(200, error=INCORRECT, username=username)
        if "AuthenticationResult" not in answer:
            return self.page(200, username=username,
                             error=f"This account must first answer the {answer.get('ChallengeName')} challenge, which this stand-in does not show.")
        target = urllib.parse.urlsplit(query["redirect_uri"])._replace(fragment="").geturl()
        self.redirect(f"{target}#{tokens_fragment(answer['AuthenticationResult'], query.get('scope', ''), query.get('state'))}")

    def redirect(self, location):
        self.send_response(302)
        self.send_header("location", location)
        self.send_header("cache-control", "no-store")
        self.send_header("content-length", "0")
        self.end_headers()

    def page(self, status, error=None, username=""):
        """The form (with an error above it), or an error alone when the request may not sign in."""
        if status != 200:
            body = f"<!doctype html><html lang=en><meta charset=utf-8><title>Sign-in error</title><p role=alert>{html.escape(error)}</p></html>"
        else:
            body = PAGE.format(
                error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "",
                action=html.escape(self.path), username=html.escape(username),
                username_focus="" if username else " autofocus", password_focus=" autofocus" if username else "")
        data = body.encode()
        self.send_response(status)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("cache-control", "no-store")
        self.send_header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code="-", size="-"):
        """One line per request, without the query (the client id and redirect URI only)."""
        print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%M:%S}Z {self.command} "
              f"{urllib.parse.urlsplit(self.path).path} {code}", flush=True)


def main():
    env = settings()
    Login.env = env
    Login.cognito = boto3.client("cognito-idp", endpoint_url=env["COGNITO_ENDPOINT"], region_name="us-east-1",
                                 aws_access_key_id="local", aws_secret_access_key="local")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(env["LOGIN_PORT"])), Login)
    print(f"sign-in page on http://127.0.0.1:{env['LOGIN_PORT']}/login for client {env['USER_POOL_CLIENT_ID']}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
