import json
import sys

STATE = sys.argv[1]


def load_state(path):
    with open(path) as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise RuntimeError(f"cannot parse checkpoint {path}") from e


def main():
    state = load_state(STATE)
    print("resuming from", state["offset"])


if __name__ == "__main__":
    main()
