import sys

SNAPSHOT = "/srv/app/importer/snapshot-2026-03-01.bin"
SIZE = 768 * 1024 * 1024


def load_snapshot(path, size):
    print(f"importer: reading snapshot {path} ({size >> 20} MiB)", flush=True)
    buf = bytearray(size)
    with open(path, "rb") as f:
        f.readinto(buf)
    return buf


def main():
    data = load_snapshot(SNAPSHOT, SIZE)
    print(f"importer: {len(data)} bytes loaded", flush=True)


if __name__ == "__main__":
    sys.exit(main())
