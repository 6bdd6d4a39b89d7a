#!/usr/bin/env python3
"""A TLS terminator for the CPU-share benchmark (bench.py's `aws-share` section): it stands in for
the TLS that every call from a Lambda function to DynamoDB and S3 carries on AWS. It accepts TLS
(the bench's own certificate, which only the bench's functions are told to trust, through
SSL_CERT_FILE / AWS_CA_BUNDLE) and forwards the plain bytes to DynamoDB Local or the S3 server.

    tls_terminator.py CERT KEY UPSTREAM_HOST:PORT   → prints its port, then serves until killed

It runs outside the function's cgroup, like AWS's own endpoints: only the client's half of the
TLS (handshake, certificate verification, encryption) is held to the function's CPU share."""
import asyncio
import ssl
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def main(cert, key, upstream):
    host, port = upstream.rsplit(":", 1)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # what AWS's endpoints require
    context.load_cert_chain(cert, key)

    async def accept(client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    server = await asyncio.start_server(accept, "127.0.0.1", 0, ssl=context)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
