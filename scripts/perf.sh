#!/usr/bin/env bash
# Runs every performance measurement of tls12 against rustls 0.23 (ring,
# TLS 1.2 only) and prints one line per figure: tls12, rustls (or ring), the
# ratio, and the target from the performance issue.
#
#   scripts/perf.sh            # full run (criterion defaults of benches/tls12.rs)
#   QUICK=1 scripts/perf.sh    # short criterion runs while developing
#   SKIP_CRITERION=1 ...       # reuse the last criterion results in target/criterion
#   HANDSHAKES=20 ...          # handshakes per callgrind run (default 20)
#
# Needs: cargo, valgrind (callgrind_annotate), python3.
# The table is also written to target/perf/results.md (for PERFORMANCE.md).
set -euo pipefail

cd "$(dirname "$0")/.."
TARGET=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
OUT="$TARGET/perf"
mkdir -p "$OUT"
HANDSHAKES=${HANDSHAKES:-20}

echo "== building benches (bench profile)" >&2
cargo bench --no-run --message-format=json 2>/dev/null >"$OUT/build.json"
exe() {
    python3 - "$1" "$OUT/build.json" <<'EOF'
import json, sys
name = sys.argv[1]
for line in open(sys.argv[2]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("executable") and m.get("target", {}).get("name") == name and "bench" in m["target"]["kind"]:
        print(m["executable"])
EOF
}
INSTR=$(exe instructions | tail -1)
MEMORY=$(exe memory | tail -1)
[ -x "$INSTR" ] && [ -x "$MEMORY" ] || { echo "bench binaries not found" >&2; exit 1; }

# --- 1. Wall clock (criterion).
if [ -z "${SKIP_CRITERION:-}" ]; then
    echo "== criterion (benches/tls12.rs)" >&2
    ARGS=()
    [ -n "${QUICK:-}" ] && ARGS=(--warm-up-time 1 --measurement-time 2)
    cargo bench --bench tls12 -- "${ARGS[@]}" >"$OUT/criterion.log" 2>&1 ||
        { tail -30 "$OUT/criterion.log" >&2; exit 1; }
fi

# --- 2. Memory (counting allocator).
echo "== memory (benches/memory.rs)" >&2
"$MEMORY" >"$OUT/memory.log"

# --- 3. Instructions per handshake (callgrind).
echo "== callgrind (benches/instructions.rs), $HANDSHAKES handshakes per run" >&2
: >"$OUT/callgrind.tsv"
for kind in full-ecdsa-p256 full-rsa2048 resume-session-id resume-ticket full-psk full-ecdhe-psk; do
    libs="tls12 rustls"
    case "$kind" in *psk) libs="tls12" ;; esac # rustls has no TLS 1.2 PSK
    for lib in $libs; do
        for n in 0 "$HANDSHAKES"; do
            f="$OUT/callgrind.$lib.$kind.$n"
            valgrind --tool=callgrind --callgrind-out-file="$f" "$INSTR" "$lib" "$kind" "$n" \
                >/dev/null 2>"$f.log"
            callgrind_annotate --threshold=100 "$f" >"$f.txt" 2>/dev/null
            printf '%s\t%s\t%s\t%s\n' "$lib" "$kind" "$n" "$f.txt" >>"$OUT/callgrind.tsv"
        done
    done
done

# --- 3b. Instructions per 16 KiB record sent (callgrind).
RECORDS=${RECORDS:-64}
echo "== callgrind (benches/instructions.rs send), $RECORDS records per run" >&2
: >"$OUT/callgrind-send.tsv"
for aead in aes128gcm chacha20poly1305; do
    for who in tls12 tls12-seal-in-place tls12-send-with rustls ring-seal; do
        for n in 0 "$RECORDS"; do
            f="$OUT/callgrind.send.$who.$aead.$n"
            valgrind --tool=callgrind --callgrind-out-file="$f" "$INSTR" send "$who" "$aead" "$n" \
                >/dev/null 2>"$f.log"
            callgrind_annotate --threshold=100 "$f" >"$f.txt" 2>/dev/null
            total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$f.txt")
            printf '%s\t%s\t%s\t%s\n' "$who" "$aead" "$n" "$total" >>"$OUT/callgrind-send.tsv"
        done
    done
done

# --- 4. The table.
python3 - "$TARGET" "$OUT" "$HANDSHAKES" "$RECORDS" <<'EOF' | tee "$OUT/results.md"
import json, os, re, sys

target, out, hs, recs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = []  # (figure, tls12, other, ratio, unit, target text, met)

def add(fig, t, r, unit, goal=None, met=None, other="rustls"):
    ratio = t / r if r else float("nan")
    rows.append((fig, t, r, ratio, unit, goal or "", met, other))

# Criterion: median time per iteration.
def median_ns(group, fn):
    p = os.path.join(target, "criterion", group, fn, "new", "estimates.json")
    with open(p) as f:
        return json.load(f)["median"]["point_estimate"]

BULK = 64 << 20
def mibs(group, fn):
    return BULK / median_ns(group, fn) * 1e9 / (1 << 20)

kinds = ["full-ecdsa-p256", "full-rsa2048", "resume-session-id", "resume-ticket"]
for k in kinds:
    t, r = median_ns(f"handshake-{k}", "tls12"), median_ns(f"handshake-{k}", "rustls")
    add(f"handshake {k}, time", t / 1e3, r / 1e3, "us")

for aead in ["aes128gcm", "chacha20poly1305"]:
    s_t, s_r, seal = (mibs(f"send-{aead}", f) for f in ("tls12", "rustls", "ring-seal"))
    r_t, r_ip, r_r, opn = (mibs(f"receive-{aead}", f)
                           for f in ("tls12", "tls12-in-place", "rustls", "ring-open"))
    add(f"send {aead}, throughput", s_t, s_r, "MiB/s", ">= 2x", s_t >= 2 * s_r)
    add(f"receive {aead}, throughput (receive)", r_t, r_r, "MiB/s", ">= 2x", r_t >= 2 * r_r)
    add(f"receive {aead}, throughput (receive_in_place)", r_ip, r_r, "MiB/s", ">= 2x",
        r_ip >= 2 * r_r)
    add(f"send {aead} vs ring seal", s_t, seal, "MiB/s", other="ring")
    z_t = mibs(f"send-{aead}", "tls12-seal-in-place")
    add(f"seal_in_place {aead} vs ring seal", z_t, seal, "MiB/s", ">= 0.97x", z_t >= 0.97 * seal,
        other="ring")
    add(f"receive {aead} vs ring open", r_t, opn, "MiB/s", other="ring")
    add(f"receive_in_place {aead} vs ring open", r_ip, opn, "MiB/s", other="ring")
    combo = lambda a, b: 1 / (1 / a + 1 / b)
    ring_so = combo(seal, opn)
    for label, recv in (("receive", r_t), ("receive_in_place", r_ip)):
        both = combo(s_t, recv)
        add(f"send+{label} {aead} vs ring seal+open", both, ring_so, "MiB/s", ">= 0.7x",
            both >= 0.7 * ring_so, other="ring")

# Memory.
mem = {}
for line in open(os.path.join(out, "memory.log")):
    if line.startswith("FIGURE|"):
        _, name, t, r, unit = line.rstrip("\n").split("|")
        mem[name] = (float(t), float(r), unit)
for name, (t, r, unit) in mem.items():
    goal, met = None, None
    if name.startswith("idle heap") and ("after handshake" in name or "keep_peer" in name) \
            and "MiB" not in name:
        goal, met = "<= 0.25x", t <= 0.25 * r
    elif name.startswith("idle heap") and "MiB" in name and "Keep" not in name \
            and ("server" in name or "keep_peer" in name):
        goal, met = "<= 2048", t <= 2048
    elif name.startswith("allocations,") and "Preallocated" in name:
        # Everything was allocated when the connection was made.
        goal, met = "0", t == 0
    elif name.startswith("allocations,") and "full" in name:
        goal, met = "<= 16", t <= 16
    elif name.startswith("allocations per record"):
        # The buffered API under the default IdleBuffers::Release frees its
        # queue when emptied: one allocation per refill. The in-place paths,
        # and the buffered one under IdleBuffers::Keep, allocate nothing.
        if "Keep" in name or "in place" in name:
            goal, met = "0", t == 0
        else:
            goal, met = "<= 1", t <= 1
    add(name, t, r, unit, goal, met)

# Callgrind: instructions per handshake, and the part spent in ring.
CRYPTO = re.compile(r"(^|[<:\s])ring::|ring_core_|^(__)?(ecp_nistz256|fe_|ge_|x25519|fiat_|"
                    r"table_select|p256_|p384_|sha256|sha512|aes_|gcm_|chacha|poly1305|bn_|"
                    r"limbs_|LIMBS_|CRYPTO_)|^_*(bn_|mulx?4x_internal|sqrx?8x_internal|bn_post4x)")
COPY = re.compile(r"memcpy|memmove")
def costs(path):
    total = crypto = copy = 0
    for line in open(path):
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(\S.*?)(?: \[.*\])?$", line)
        if not m:
            continue
        n, where = int(m.group(1).replace(",", "")), m.group(2)
        if where == "PROGRAM TOTALS":
            total = n
            continue
        fn = where.split(":", 1)[1] if ":" in where else where
        if CRYPTO.search(fn):
            crypto += n
        elif COPY.search(fn):
            copy += n
    return total, crypto, copy

runs = {}
for line in open(os.path.join(out, "callgrind.tsv")):
    lib, kind, n, path = line.rstrip("\n").split("\t")
    runs[(lib, kind, int(n))] = costs(path)
nan = float("nan")
for k in kinds + ["full-psk", "full-ecdhe-psk"]:
    per = {}
    for lib in ("tls12", "rustls"):
        if (lib, k, 0) not in runs:
            per[lib] = (nan, nan, nan)
            continue
        (t0, c0, m0), (t1, c1, m1) = runs[(lib, k, 0)], runs[(lib, k, hs)]
        per[lib] = ((t1 - t0) / hs, (c1 - c0) / hs, (m1 - m0) / hs)
    if k.endswith("psk"):
        (tt, tc, tm) = per["tls12"]
        add(f"instructions per handshake, {k}", tt, nan, "Ir")
        add(f"  of which ring (crypto), {k}", tc, nan, "Ir")
        add(f"  of which not ring, {k}", tt - tc, nan, "Ir")
        continue
    goal = "<= 0.5x" if k.startswith("resume") else "<= 0.93x"
    lim = 0.5 if k.startswith("resume") else 0.93
    (tt, tc, tm), (rt, rc, rm) = per["tls12"], per["rustls"]
    add(f"instructions per handshake, {k}", tt, rt, "Ir", goal, tt <= lim * rt)
    add(f"  of which ring (crypto), {k}", tc, rc, "Ir")
    add(f"  of which not ring, {k}", tt - tc, rt - rc, "Ir")
    add(f"  of which memcpy/memmove, {k}", tm, rm, "Ir")

# Callgrind: instructions per 16 KiB record sent.
sent = {}
for line in open(os.path.join(out, "callgrind-send.tsv")):
    who, aead, n, total = line.rstrip("\n").split("\t")
    sent[(who, aead, int(n))] = int(total)
per_rec = lambda who, aead: (sent[(who, aead, recs)] - sent[(who, aead, 0)]) / recs
for aead in ["aes128gcm", "chacha20poly1305"]:
    t, r = per_rec("tls12", aead), per_rec("rustls", aead)
    z, ring = per_rec("tls12-seal-in-place", aead), per_rec("ring-seal", aead)
    add(f"instructions per 16 KiB record sent, {aead} (send)", t, r, "Ir")
    add(f"instructions per 16 KiB record sent, {aead} (seal_in_place)", z, r, "Ir")
    # A rate of at least 0.97x ring's is at most 1/0.97 = 1.031x its
    # instructions.
    add(f"instructions per 16 KiB record, {aead}: seal_in_place vs ring seal", z, ring, "Ir",
        "<= 1.031x", z <= ring / 0.97, other="ring")
    w = per_rec("tls12-send-with", aead)
    add(f"instructions per 16 KiB record, {aead}: send_with into a lent output area vs ring seal",
        w, ring, "Ir", "<= 1.031x", w <= ring / 0.97, other="ring")

def fmt(v):
    if v != v:
        return "n/a"
    if abs(v) >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:.2f}"

print("| figure | tls12 | rustls / ring | tls12 ÷ other | unit | target | met |")
print("|---|---:|---:|---:|---|---|---|")
for fig, t, r, ratio, unit, goal, met, other in rows:
    other_s = fmt(r) + (" (ring)" if other == "ring" else "")
    met_s = "" if met is None else ("yes" if met else "**no**")
    print(f"| {fig} | {fmt(t)} | {other_s} | {fmt(ratio) if ratio == ratio else 'n/a'}"
          f"{'' if ratio != ratio else ''} | {unit} | {goal} | {met_s} |")
EOF
echo >&2
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" >&2
