#!/usr/bin/env python3
"""The local stand-in for API Gateway's HTTP API (MenuApi): what `make run` serves on API_PORT.

`cargo lambda watch` runs the functions but no authorizer (cargo-lambda issue #676), so the public
port is this gateway's, and the functions sit behind it on FUNCTIONS_PORT. It reads template.yaml
(never a second list of routes): every HttpApi event of a function on MenuApi gives a route
(method, path, the function's binary, its authorizer), and MenuApi's Auth.Authorizers give the
JWT authorizers. It re-reads the template when the file changes, so routes come and go with it.

For each request, as API Gateway does:
- the route: exact segments before `{param}` before `{greedy+}`; a path or method no route
  declares is 404 {"message":"Not Found"};
- a JWT authorizer: the token from the identity source header ('Bearer ' stripped; never from the
  query string), its `kid` in the issuer's JWKS, RSA signatures only, then iss, aud or client_id,
  exp, nbf and iat; any refusal is 401 {"message":"Unauthorized"} with `www-authenticate` saying
  why, and no CORS headers (API Gateway adds none: the API has no CorsConfiguration);
- the function gets the payload format 2.0 event (claims as strings, arrays as "[a b]") through
  cargo lambda watch's invoke endpoint, and its answer becomes the HTTP response; a failed
  invocation is 500 {"message":"Internal Server Error"}.

What differs from AWS:
- issuer and audience are the local user pool's (run.env), not the template's expressions; the
  JWKS comes from moto and is cached for 2 h, as API Gateway may;
- routes with the AWS_IAM authorizer are refused (403), as unsigned requests are on AWS: SigV4 is
  not stood in, and no route may be open here that is closed there (the template has none);
- no 30 s integration timeout (503 on AWS): cargo lambda watch builds and starts a function on its
  first invocation, which can take longer than that while another build holds cargo's lock;
- no throttling (the template's route settings are not applied), no TLS, no custom domain,
  placeholder account and API ids, and one log line per request of its own (stdout:
  .local/logs/gateway.log) instead of the access-log format.

On WEBSITE_API_PORT it also stands in for the menu's CloudFront distribution (MenuDistribution,
the website's API base, WebsiteApiUrl on AWS) with AWS WAF in front of it (ClientRateLimitAcl):
- what the distribution lets through: GET, HEAD and OPTIONS, any method on /create_report, the
  staff page; another method gets CloudFront's 403;
- AWS WAF's per-client limit, read from the template: more than ClientRateLimit requests from one
  address in the rule's window get the rule's 429 and body (blocked requests count too). Here the
  count is exact and acts at once over a sliding window; WAF estimates the rate and takes up to a
  minute to start and to stop blocking. CLIENT_RATE_LIMIT and CLIENT_RATE_LIMIT_ENABLED in make
  run's environment stand for the parameters (the load runs turn it off);
- no cache (CloudFront's keeps a list for half the freshness bound), no edge locations, no TLS.
The API's own port has no such limit, as on AWS: WAF cannot sit in front of an HTTP API.

The staff page: GET/HEAD /staff/... is served from the checkout's staff/ folder as CloudFront
serves it from its private bucket on AWS (template.yaml: the /staff/* behaviour, StaffPageRewrite
turning a path ending in / into index.html), with the page's settings (config.json) made from
run.env as scripts/deploy-staff-page.sh makes them from the stack's outputs. No caching (no-cache:
an edit to the page shows on the next load), and the same security headers as StaffPageHeaders.

Settings come from run.env in $CAFE_LOCAL_DIR (default .local/), which `make run` writes.
"""
import asyncio
import base64
import collections
import datetime
import json
import os
import pathlib
import secrets
import sys
import time
import urllib.parse
from dataclasses import dataclass

import yaml
from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector, web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = pathlib.Path(__file__).resolve().parent.parent
STAFF_PAGE = ROOT / "staff"
STAFF_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".css": "text/css; charset=utf-8", ".json": "application/json", ".png": "image/png"}
TEMPLATE = ROOT / "template.yaml"
ENV_FILE = pathlib.Path(os.environ.get("CAFE_LOCAL_DIR") or ROOT / ".local") / "run.env"
API = "MenuApi"
INTEGRATION_TIMEOUT_SECONDS = 900  # a first invocation waits for cargo lambda watch's build
JWKS_CACHE_SECONDS = 2 * 3600  # API Gateway caches the issuer's keys up to 2 h
ACCOUNT_ID, API_ID = "123456789012", "local"
RSA_HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
# Bodies API Gateway hands over as text; any other body arrives base64-encoded.
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
TEXT_SUFFIXES = ("+json", "+xml")


# ---------------------------------------------------------------- the template


class TemplateLoader(yaml.SafeLoader):
    """Reads CloudFormation's short tags (!Ref X, !Sub ..., !If [...]) as their long form
    ({"Ref": "X"}, {"Fn::Sub": ...}): the gateway recognises them and never evaluates them."""


def _intrinsic(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        return {name: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {name: loader.construct_sequence(node, deep=True)}
    return {name: loader.construct_mapping(node, deep=True)}


TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_template(path=TEMPLATE):
    return yaml.load(path.read_text(), Loader=TemplateLoader)


@dataclass(frozen=True)
class Authorizer:
    """One of the API's authorizers: `kind` is "jwt" or "iam"; `header` the identity source."""
    name: str
    kind: str
    header: str = "authorization"


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST... or ANY
    path: str  # /products/{product_name}, or $default
    function: str  # the binary cargo lambda watch serves
    authorizer: Authorizer | None
    scopes: tuple = ()

    @property
    def key(self):
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    def match(self, segments):
        """The decoded path parameters if the request's raw path segments fit, else None."""
        if self.path == "$default":
            return {}
        pattern = self.path.split("/")[1:]
        params = {}
        for i, part in enumerate(pattern):
            if part.startswith("{") and part.endswith("+}"):
                rest = segments[i:]
                if not rest or rest == [""]:
                    return None
                params[part[1:-2]] = urllib.parse.unquote("/".join(rest))
                return params
            if i >= len(segments):
                return None
            if part.startswith("{") and part.endswith("}"):
                if not segments[i]:
                    return None
                params[part[1:-1]] = urllib.parse.unquote(segments[i])
            elif urllib.parse.unquote(segments[i]) != part:
                return None
        return params if len(segments) == len(pattern) else None

    def specificity(self):
        """Lower is more specific: per segment literal < {param} < {greedy+}; a method before
        ANY; $default last."""
        if self.path == "$default":
            return ((3,),)
        kinds = tuple(2 if p.endswith("+}") else 1 if p.startswith("{") else 0 for p in self.path.split("/")[1:])
        return (kinds, self.method == "ANY")


def read_authorizers(api):
    """MenuApi's authorizers by name, and AWS_IAM (which SAM names without declaring)."""
    authorizers = {"AWS_IAM": Authorizer("AWS_IAM", "iam")}
    for name, spec in api.get("Auth", {}).get("Authorizers", {}).items():
        if "JwtConfiguration" not in spec:
            sys.exit(f"template.yaml: authorizer {name} is not a JWT authorizer; the local gateway stands in only for those")
        source = spec.get("IdentitySource", "$request.header.Authorization")
        if not source.startswith("$request.header."):
            sys.exit(f"template.yaml: authorizer {name}'s identity source {source} is not a header")
        authorizers[name] = Authorizer(name, "jwt", source.removeprefix("$request.header.").lower())
    return authorizers


def read_routes(template):
    """Every HttpApi event on MenuApi of every function, with its authorizer (the API's default
    one when the event names none; NONE for none)."""
    api = template["Resources"][API]["Properties"]
    authorizers = read_authorizers(api)
    default = api.get("Auth", {}).get("DefaultAuthorizer", "NONE")
    routes = []
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        binary = resource["Metadata"]["BuildProperties"]["Binary"]
        for event in resource["Properties"].get("Events", {}).values():
            props = event.get("Properties", {})
            if event.get("Type") != "HttpApi" or props.get("ApiId") != {"Ref": API}:
                continue
            auth = props.get("Auth", {})
            name = auth.get("Authorizer", default)
            routes.append(Route(props.get("Method", "ANY").upper(), props.get("Path", "$default"), binary,
                                None if name == "NONE" else authorizers[name],
                                tuple(auth.get("AuthorizationScopes", ()))))
    return routes


class RouteTable:
    """The template's routes, re-read when template.yaml changes (a half-edited template that
    does not parse keeps the previous routes)."""

    def __init__(self, path=TEMPLATE):
        self.path, self.mtime, self.routes = path, None, []
        self.refresh()

    def refresh(self):
        mtime = self.path.stat().st_mtime
        if mtime == self.mtime:
            return
        try:
            self.routes = read_routes(load_template(self.path))
            log(f"routes from {self.path.name}: " + ", ".join(r.key for r in self.routes))
        except (yaml.YAMLError, KeyError, TypeError, AttributeError) as e:
            log(f"{self.path.name} does not parse ({e!r}); keeping the previous routes")
        self.mtime = mtime

    def find(self, method, raw_path):
        """(route, path parameters), or (None, None) when no route takes this method and path."""
        self.refresh()
        segments = raw_path.split("/")[1:]
        matches = [(r, p) for r in self.routes if r.method in (method, "ANY") for p in [r.match(segments)] if p is not None]
        if not matches:
            return None, None
        return min(matches, key=lambda m: m[0].specificity())


# ---------------------------------------------------------------- AWS WAF's per-client limit


class ClientRateLimit:
    """template.yaml's ClientRateLimitAcl: at most `limit` requests per client address in a
    sliding `window` of seconds through the distribution; past it, the rule's own answer. Every
    request counts, blocked ones too (WAF counts what it evaluates), so a client that keeps on
    flooding stays blocked."""

    def __init__(self, template, env):
        parameters = template["Parameters"]
        acl = template["Resources"]["ClientRateLimitAcl"]["Properties"]
        (rule,) = acl["Rules"]
        answer = rule["Action"]["Block"]["CustomResponse"]
        self.status = int(answer["ResponseCode"])
        self.body = acl["CustomResponseBodies"][answer["CustomResponseBodyKey"]]["Content"].encode()
        self.window = float(rule["Statement"]["RateBasedStatement"]["EvaluationWindowSec"])
        limit = env.get("CLIENT_RATE_LIMIT") or parameters["ClientRateLimit"]["Default"]
        if not str(limit).isdigit() or int(limit) < 10:
            sys.exit(f"CLIENT_RATE_LIMIT={limit!r}: give a whole number of requests a minute, at least 10 "
                     "(AWS WAF's minimum), or CLIENT_RATE_LIMIT_ENABLED=false")
        self.limit = int(limit)
        enabled = env.get("CLIENT_RATE_LIMIT_ENABLED") or parameters["ClientRateLimitEnabled"]["Default"]
        self.enabled = enabled == "true"
        self.seen = collections.defaultdict(collections.deque)  # address -> times of its requests

    def refuses(self, client, now):
        """Counts the request; True when its client is past the limit."""
        if not self.enabled:
            return False
        times = self.seen[client]
        while times and times[0] <= now - self.window:
            times.popleft()
        times.append(now)
        if len(self.seen) > 10_000:  # forget idle clients, so memory stays bounded
            for address in [a for a, t in self.seen.items() if t[-1] <= now - self.window]:
                del self.seen[address]
        return len(times) > self.limit

    def answer(self, request_id):
        return web.Response(status=self.status, body=self.body,
                            headers={"content-type": "application/json", "apigw-requestid": request_id})


# ---------------------------------------------------------------- the JWT authorizer


class Refused(Exception):
    """A token the JWT authorizer refuses; the message is the error_description it sends."""


def b64url(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def decode(token):
    """(header, claims, signature, signed bytes) of a compact JWS, or Refused."""
    try:
        header_part, claims_part, signature_part = token.split(".")
        header, claims = json.loads(b64url(header_part)), json.loads(b64url(claims_part))
        signature = b64url(signature_part)
    except ValueError:  # the wrong number of parts, bad base64, bad JSON, bad UTF-8
        raise Refused("token is malformed") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Refused("token is malformed")
    return header, claims, signature, f"{header_part}.{claims_part}".encode()


def check_signature(header, signature, signed, keys):
    alg = header.get("alg")
    if alg not in RSA_HASHES:
        raise Refused(f"signing method {alg} is invalid")
    key = keys.get(header.get("kid"))
    if key is None:
        raise Refused("the token's kid is not among the issuer's keys")
    try:
        key.verify(signature, signed, padding.PKCS1v15(), RSA_HASHES[alg]())
    except InvalidSignature:
        raise Refused("crypto/rsa: verification error") from None


def check_claims(claims, issuer, audiences, now):
    if claims.get("iss") != issuer:
        raise Refused("the token does not have a valid issuer")
    aud = claims.get("aud", [])
    presented = (aud if isinstance(aud, list) else [aud]) + [claims.get("client_id")]
    if not any(a in audiences for a in presented if isinstance(a, str)):
        raise Refused("the token does not have a valid audience")
    for name in ("exp", "nbf", "iat"):
        if name in claims and (isinstance(claims[name], bool) or not isinstance(claims[name], (int, float))):
            raise Refused("token is malformed")
    if "exp" not in claims or claims["exp"] <= now:
        raise Refused("the token has expired")
    if claims.get("nbf", now) > now:
        raise Refused("the token is not valid yet")
    if claims.get("iat", now) > now:
        raise Refused("the token was issued in the future")


def verify(token, keys, issuer, audiences, now):
    """The token's claims if API Gateway's JWT authorizer would let it through, else Refused."""
    header, claims, signature, signed = decode(token)
    check_signature(header, signature, signed, keys)
    check_claims(claims, issuer, audiences, now)
    return claims


def public_keys(jwks):
    """The JWKS's RSA keys by kid (API Gateway uses no other kind)."""
    keys = {}
    for jwk in jwks.get("keys", []):
        if jwk.get("kty") == "RSA":
            numbers = rsa.RSAPublicNumbers(int.from_bytes(b64url(jwk["e"]), "big"), int.from_bytes(b64url(jwk["n"]), "big"))
            keys[jwk.get("kid")] = numbers.public_key()
    return keys


def claim_string(value):
    """A claim as API Gateway hands it to the function: every value a string, as Go prints it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(claim_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{claim_string(v)}" for k, v in sorted(value.items())) + "]"
    return "<nil>" if value is None else str(value)


def refusal(why):
    """The www-authenticate challenge of a refused token."""
    return f'Bearer scope="" error="invalid_token" error_description="{why}"'


def bearer_token(headers, header_name):
    """The token from the identity source header ('Bearer ' stripped), or None."""
    value = headers.get(header_name, "").strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


# ---------------------------------------------------------------- the event and the answer


def lowercase_headers(headers):
    """Header names lowercased, a repeated header's values joined with commas."""
    joined = {}
    for name, value in headers.items():
        name = name.lower()
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def is_text(content_type):
    media = content_type.split(";")[0].strip().lower()
    return media.startswith(TEXT_TYPES) or media.endswith(TEXT_SUFFIXES)


def body_fields(body, content_type):
    """(body, isBase64Encoded) as API Gateway sends them: text types as text, the rest base64."""
    if not body:
        return None, False
    if is_text(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode(), True


def query_parameters(raw_query):
    """Decoded parameters, a repeated one's values joined with commas; None when there are none."""
    params = {}
    for name, value in urllib.parse.parse_qsl(raw_query, keep_blank_values=True):
        params[name] = f"{params[name]},{value}" if name in params else value
    return params or None


def http_event(request, route, path_parameters, body, claims, request_id, now):
    """The payload format 2.0 event API Gateway gives a Lambda integration."""
    raw_path, _, raw_query = request.raw_path.partition("?")
    headers = lowercase_headers(request.headers)
    headers.setdefault("x-forwarded-for", request.remote or "127.0.0.1")
    headers.setdefault("x-forwarded-proto", "http")
    cookie = headers.pop("cookie", None)
    host = headers.get("host", "127.0.0.1")
    context = {
        "accountId": ACCOUNT_ID, "apiId": API_ID, "domainName": host, "domainPrefix": host.split(".")[0],
        "http": {"method": request.method, "path": raw_path, "protocol": f"HTTP/{request.version.major}.{request.version.minor}",
                 "sourceIp": request.remote or "127.0.0.1", "userAgent": headers.get("user-agent", "")},
        "requestId": request_id, "routeKey": route.key, "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"), "timeEpoch": int(now.timestamp() * 1000),
    }
    if claims is not None:
        scopes = claims.get("scope", "").split() if route.scopes else None
        context["authorizer"] = {"jwt": {"claims": {k: claim_string(v) for k, v in claims.items()}, "scopes": scopes}}
    event = {"version": "2.0", "routeKey": route.key, "rawPath": raw_path, "rawQueryString": raw_query, "headers": headers}
    if cookie:
        event["cookies"] = [c.strip() for c in cookie.split(";") if c.strip()]
    if (query := query_parameters(raw_query)) is not None:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    event["requestContext"] = context
    text, encoded = body_fields(body, headers.get("content-type", ""))
    if text is not None:
        event["body"] = text
    event["isBase64Encoded"] = encoded
    return event


def function_response(answer):
    """(status, [(header, value)], body bytes) from the function's answer, as API Gateway maps a
    payload 2.0 response: anything without a statusCode is a 200 JSON body."""
    if not (isinstance(answer, dict) and "statusCode" in answer):
        body = answer if isinstance(answer, str) else json.dumps(answer)
        return 200, [("content-type", "application/json")], body.encode()
    headers = [(k, str(v)) for k, v in (answer.get("headers") or {}).items()]
    named = {k.lower() for k, _ in headers}
    headers += [(k, str(v)) for k, values in (answer.get("multiValueHeaders") or {}).items()
                if k.lower() not in named for v in values]
    headers += [("set-cookie", c) for c in answer.get("cookies") or []]
    body = answer.get("body") or ""
    body = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
    # The length and framing are this server's to set, as they are API Gateway's.
    headers = [(k, v) for k, v in headers if k.lower() not in ("content-length", "transfer-encoding", "connection")]
    return int(answer["statusCode"]), headers, body


# API Gateway HTTP API's payload quota (aiohttp's own default would refuse anything over 1 MB).
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


async def read_payload(request):
    """The request's body, or None when it is over the HTTP API's payload quota."""
    body = bytearray()
    while chunk := await request.content.read(64 * 1024):
        body += chunk
        if len(body) > MAX_PAYLOAD_BYTES:
            return None
    return bytes(body)


def gateway_error(status, message, request_id, extra=()):
    """One of API Gateway's own answers: a JSON message, no CORS headers."""
    headers = [("content-type", "application/json"), ("apigw-requestid", request_id), *extra]
    return web.Response(status=status, body=json.dumps({"message": message}, separators=(",", ":")).encode(), headers=headers)


# ---------------------------------------------------------------- the distribution and the staff page

DISTRIBUTION_REFUSES_METHOD = "This distribution is not configured to allow the HTTP request method."


def distribution_allows(method, raw_path):
    """The methods MenuDistribution's behaviours allow: reads and preflights by default, any on
    /create_report (the website's report button), GET and HEAD on the staff page."""
    if raw_path == "/create_report":
        return True
    if raw_path == "/staff" or raw_path.startswith("/staff/"):
        return method in ("GET", "HEAD")
    return method in ("GET", "HEAD", "OPTIONS")



def staff_page_config(env):
    """The page's settings, as scripts/deploy-staff-page.sh writes them beside the page on AWS."""
    login = f"http://127.0.0.1:{env['LOGIN_PORT']}"
    return {"api_url": f"http://127.0.0.1:{env['API_PORT']}", "login_url": f"{login}/login",
            "logout_url": f"{login}/logout", "client_id": env["USER_POOL_CLIENT_ID"],
            "freshness_seconds": int(env.get("FRESHNESS_SECONDS", "5")), "website_url": env["WEBSITE_URL"]}


def staff_page(request, env):
    """The answer to GET/HEAD /staff..., as CloudFront's /staff/* behaviour gives it."""
    path = urllib.parse.unquote(request.raw_path.partition("?")[0])
    if path == "/staff":
        return web.Response(status=301, headers={"location": "/staff/"})
    if request.method not in ("GET", "HEAD"):
        return web.Response(status=403, text=DISTRIBUTION_REFUSES_METHOD)
    name = path.removeprefix("/staff/") or "index.html"
    if name.endswith("/"):
        name += "index.html"
    if name == "config.json":
        body = json.dumps(staff_page_config(env)).encode()
    else:
        file = (STAFF_PAGE / name).resolve()
        if STAFF_PAGE not in file.parents or not file.is_file() or "test" in file.relative_to(STAFF_PAGE).parts:
            return web.Response(status=403, text="AccessDenied")  # what S3 answers CloudFront for a missing key
        body = file.read_bytes()
    csp = (f"default-src 'self'; connect-src 'self' http://127.0.0.1:{env['S3_PORT']}; img-src 'self' data: {env['WEBSITE_URL']}/images/items/; "
           "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    headers = {"content-type": STAFF_TYPES.get(pathlib.PurePath(name).suffix, "application/octet-stream"),
               "cache-control": "no-cache", "content-security-policy": csp, "x-content-type-options": "nosniff",
               "referrer-policy": "no-referrer", "x-frame-options": "DENY"}
    return web.Response(status=200, body=b"" if request.method == "HEAD" else body, headers=headers)


# ---------------------------------------------------------------- the server


class InvocationFailed(Exception):
    pass


class Gateway:
    def __init__(self, env, session):
        self.env = env
        self.routes = RouteTable()
        self.client_rate_limit = ClientRateLimit(load_template(), env)
        self.session = session
        self.functions = f"http://127.0.0.1:{env['FUNCTIONS_PORT']}/2015-03-31/functions"
        self.jwks_url = f"{env['COGNITO_ENDPOINT']}/{env['USER_POOL_ID']}/.well-known/jwks.json"
        self.issuer, self.audiences = env["JWT_ISSUER"], [env["USER_POOL_CLIENT_ID"]]
        self.keys, self.keys_fetched = None, 0.0

    async def issuer_keys(self):
        """The issuer's RSA keys by kid, fetched once and kept for JWKS_CACHE_SECONDS."""
        if self.keys is None or time.monotonic() - self.keys_fetched > JWKS_CACHE_SECONDS:
            async with self.session.get(self.jwks_url) as r:
                r.raise_for_status()
                self.keys = public_keys(await r.json(content_type=None))
            self.keys_fetched = time.monotonic()
        return self.keys

    async def authorize(self, request, route, request_id):
        """(claims, None) for a route the caller may use, else (None, the refusal)."""
        authorizer = route.authorizer
        if authorizer is None:
            return None, None
        if authorizer.kind == "iam":
            # SigV4 is not stood in: such a route is refused here rather than left open, as
            # API Gateway refuses a request without a signature.
            return None, gateway_error(403, "Missing Authentication Token", request_id)
        token = bearer_token(request.headers, authorizer.header)
        if token is None:
            return None, gateway_error(401, "Unauthorized", request_id, [("www-authenticate", "Bearer")])
        try:
            keys = await self.issuer_keys()
        except (ClientError, ValueError, asyncio.TimeoutError) as e:
            log(f"{request_id} cannot fetch the JWKS from {self.jwks_url}: {e!r}")
            return None, gateway_error(401, "Unauthorized", request_id, [("www-authenticate", refusal("the issuer's keys could not be fetched"))])
        try:
            claims = verify(token, keys, self.issuer, self.audiences, time.time())
        except Refused as why:
            return None, gateway_error(401, "Unauthorized", request_id, [("www-authenticate", refusal(str(why)))])
        if route.scopes and not set(route.scopes) & set(str(claims.get("scope", "")).split()):
            challenge = f'Bearer scope="{" ".join(route.scopes)}" error="insufficient_scope" error_description="expected scopes: {route.scopes}"'
            return None, gateway_error(403, "Forbidden", request_id, [("www-authenticate", challenge)])
        return claims, None

    async def invoke(self, function, event):
        """The function's answer through cargo lambda watch's invoke endpoint."""
        timeout = ClientTimeout(total=INTEGRATION_TIMEOUT_SECONDS)
        async with self.session.post(f"{self.functions}/{function}/invocations", data=json.dumps(event),
                                     headers={"content-type": "application/json"}, timeout=timeout) as r:
            raw = await r.read()
            if r.status != 200 or "x-amz-function-error" in r.headers:
                raise InvocationFailed(f"{r.status}: {raw[:300]!r}")
        answer = json.loads(raw)
        if isinstance(answer, dict) and "errorType" in answer and "statusCode" not in answer:
            raise InvocationFailed(raw[:300].decode(errors="replace"))
        return answer

    async def handle_distribution(self, request):
        """A request to the distribution (WEBSITE_API_PORT): AWS WAF's limit, then CloudFront's
        allowed methods, then on to the API as CloudFront's origin request."""
        return await self.handle(request, through_distribution=True)

    async def handle(self, request, through_distribution=False):
        started, now = time.monotonic(), datetime.datetime.now(datetime.timezone.utc)
        request_id = base64.b64encode(secrets.token_bytes(10)).decode()
        raw_path = request.raw_path.partition("?")[0]
        route, params = self.routes.find(request.method, raw_path)
        note = ""
        if through_distribution and self.client_rate_limit.refuses(request.remote, time.monotonic()):
            response, note = self.client_rate_limit.answer(request_id), "client rate limit (AWS WAF's stand-in)"
        elif through_distribution and not distribution_allows(request.method, raw_path):
            response, route = web.Response(status=403, text=DISTRIBUTION_REFUSES_METHOD), None
        elif raw_path == "/staff" or raw_path.startswith("/staff/"):
            response, route = staff_page(request, self.env), None
        elif route is None:
            response = gateway_error(404, "Not Found", request_id)
        else:
            claims, response = await self.authorize(request, route, request_id)
            if response is not None:
                note = response.headers.get("www-authenticate", "")
            else:
                response, note = await self.integrate(request, route, params, claims, request_id, now)
        log(f"{request_id} {request.remote} \"{request.method} {request.raw_path[:200]}\" "
            f"{route.key if route else '-'} {response.status} {(time.monotonic() - started) * 1000:.1f}ms {note}".rstrip())
        return response

    async def integrate(self, request, route, params, claims, request_id, now):
        """(response, log note): the event to the route's function, its answer back."""
        body = await read_payload(request)
        if body is None:
            return gateway_error(413, "Request Entity Too Large", request_id), "payload over 10 MB"
        event = http_event(request, route, params, body, claims, request_id, now)
        try:
            status, headers, body = function_response(await self.invoke(route.function, event))
        except (ClientError, asyncio.TimeoutError, InvocationFailed, ValueError, TypeError, KeyError) as e:
            return gateway_error(500, "Internal Server Error", request_id), f"{route.function} failed: {e!r}"[:500]
        response = web.Response(status=status, body=body)
        for name, value in headers:
            response.headers.add(name, value)
        response.headers["apigw-requestid"] = request_id
        return response, ""


def log(message):
    print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z {message}")


def settings():
    if not ENV_FILE.exists():
        sys.exit("the local system is not running: start it with `make run` (in another shell)")
    return dict(line.split("=", 1) for line in ENV_FILE.read_text().split() if "=" in line)


async def flush_log_every_second():
    """One line per request, written in batches: a flush per line would cost more than the request."""
    while True:
        await asyncio.sleep(1)
        sys.stdout.flush()


async def serve(env):
    connector = TCPConnector(limit=256, keepalive_timeout=60)
    async with ClientSession(connector=connector) as session:
        gateway = Gateway(env, session)
        runner = web.ServerRunner(web.Server(gateway.handle), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", int(env["API_PORT"]), backlog=1024).start()
        distribution = web.ServerRunner(web.Server(gateway.handle_distribution), access_log=None)
        await distribution.setup()
        await web.TCPSite(distribution, "127.0.0.1", int(env["WEBSITE_API_PORT"]), backlog=1024).start()
        limit = gateway.client_rate_limit
        log(f"serving the API on http://127.0.0.1:{env['API_PORT']}; functions at {gateway.functions}; "
            f"JWT issuer {gateway.issuer}, audience {gateway.audiences}")
        log(f"serving the distribution on http://127.0.0.1:{env['WEBSITE_API_PORT']}; per-client limit "
            + (f"{limit.limit} requests per {limit.window:.0f} s" if limit.enabled else "off"))
        sys.stdout.flush()
        await flush_log_every_second()


if __name__ == "__main__":
    try:
        asyncio.run(serve(settings()))
    except KeyboardInterrupt:
        pass
