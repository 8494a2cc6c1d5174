#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The s3 suite's independent S3 client: python3-boto3 (Debian), never linecap's code.
The store comes from the environment tests/lib/s3-server writes ($S3D/env):
S3_ENDPOINT, S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION.

usage: s3cli.py COMMAND ARGS...
  keys PREFIX              the keys under PREFIX, one a line (sorted)
  get KEY OUT              download KEY to OUT
  put FILE KEY             upload FILE as KEY (one PUT)
  etag KEY                 the ETag of KEY (quotes removed)
  same LOCAL KEY           exit 1 unless KEY's bytes equal LOCAL's
  mirror DIR PREFIX [--exact]
                           download every object under PREFIX and compare it byte for
                           byte with DIR/NAME (NAME: the key after PREFIX); every finished
                           file of DIR (not *.part, not .hidden) must be an object; with
                           --exact, every object must also be a file of DIR. Prints
                           "objects N bytes B"; exit 1 with one line per mismatch.
  rm PREFIX                delete every object under PREFIX
  mpu-start KEY            open a multipart upload of KEY with one 5 MiB part, never
                           completed (what a killed uploader leaves); prints its id
  mpu-list PREFIX          the open multipart uploads under PREFIX: "KEY ID" a line
  versioning-on            turn on the bucket's versioning (every PUT of a key keeps
                           a version of its own)
  versions PREFIX          every key under PREFIX with its number of versions (delete
                           markers not counted): "N KEY" a line, sorted by key
"""
import filecmp
import os
import sys
import tempfile

import boto3
from botocore.config import Config


def client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT"],
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 3}))


BUCKET = os.environ.get("S3_BUCKET", "")


def objects(s3, prefix):
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"]] = o["Size"]
    return out


def same(s3, local, key):
    with tempfile.NamedTemporaryFile(dir=os.environ.get("TMPDIR")) as t:
        s3.download_file(BUCKET, key, t.name)
        return filecmp.cmp(local, t.name, shallow=False)


def mirror(s3, d, prefix, exact):
    objs = objects(s3, prefix)
    bad = []
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if name.startswith(".") or name.endswith(".part") or not os.path.isfile(p):
            continue
        if prefix + name not in objs:
            bad.append("%s: no object %s" % (p, prefix + name))
    nbytes = 0
    for key, size in sorted(objs.items()):
        p = os.path.join(d, key[len(prefix):])
        if not os.path.isfile(p):
            if exact:
                bad.append("object %s: no local file %s" % (key, p))
            continue
        if size != os.path.getsize(p) or not same(s3, p, key):
            bad.append("object %s (%d bytes) differs from %s (%d bytes)"
                       % (key, size, p, os.path.getsize(p)))
        nbytes += size
    for b in bad:
        print(b, file=sys.stderr)
    print("objects %d bytes %d" % (len(objs), nbytes))
    return 1 if bad else 0


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    s3 = client()
    cmd = a[0]
    if cmd == "keys" and len(a) == 2:
        for k in sorted(objects(s3, a[1])):
            print(k)
    elif cmd == "get" and len(a) == 3:
        s3.download_file(BUCKET, a[1], a[2])
    elif cmd == "put" and len(a) == 3:
        with open(a[1], "rb") as f:
            s3.put_object(Bucket=BUCKET, Key=a[2], Body=f)
    elif cmd == "etag" and len(a) == 2:
        print(s3.head_object(Bucket=BUCKET, Key=a[1])["ETag"].strip('"'))
    elif cmd == "same" and len(a) == 3:
        return 0 if same(s3, a[1], a[2]) else 1
    elif cmd == "mirror" and len(a) in (3, 4):
        return mirror(s3, a[1], a[2], len(a) == 4 and a[3] == "--exact")
    elif cmd == "rm" and len(a) == 2:
        for k in objects(s3, a[1]):
            s3.delete_object(Bucket=BUCKET, Key=k)
    elif cmd == "mpu-start" and len(a) == 2:
        up = s3.create_multipart_upload(Bucket=BUCKET, Key=a[1])
        s3.upload_part(Bucket=BUCKET, Key=a[1], UploadId=up["UploadId"], PartNumber=1,
                       Body=b"\0" * (5 << 20))
        print(up["UploadId"])
    elif cmd == "mpu-list" and len(a) == 2:
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=BUCKET,
                                                                         Prefix=a[1]):
            for u in page.get("Uploads", []):
                print(u["Key"], u["UploadId"])
    elif cmd == "versioning-on" and len(a) == 1:
        s3.put_bucket_versioning(Bucket=BUCKET,
                                 VersioningConfiguration={"Status": "Enabled"})
        if s3.get_bucket_versioning(Bucket=BUCKET).get("Status") != "Enabled":
            sys.exit("versioning did not turn on")
    elif cmd == "versions" and len(a) == 2:
        n = {}
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=BUCKET,
                                                                      Prefix=a[1]):
            for v in page.get("Versions", []):
                n[v["Key"]] = n.get(v["Key"], 0) + 1
        for k in sorted(n):
            print(n[k], k)
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
