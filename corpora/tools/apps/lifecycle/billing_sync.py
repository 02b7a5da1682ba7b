import sys
import tomllib

CONFIG = "/srv/app/etc/billing-sync/config.toml"


def load_config(path):
    print(f"billing-sync: loading configuration from {path}", flush=True)
    with open(path, "rb") as f:
        return tomllib.load(f)


def main():
    config = load_config(CONFIG)
    print(f"billing-sync: syncing every {config['sync']['interval_s']} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
