/* Sharding the export's render jobs over machines (issue 25): which of N
 * shards renders a part, decided by each part's own key, so every machine
 * that runs `cs export --shard I/N` over the same selection agrees without
 * talking to the others, and no scheduler is needed.
 *
 * The key (cs_shard_key) is portable: the part's name in the set, the
 * source's size, the cues, the track's BPM, the rung, the stretcher and its
 * quality, the output format and rate, the render version.  It holds no
 * absolute path and no mtime, which differ between machines (another mount
 * point, a copy that did not keep times), so hosts with the library at
 * different places still agree, and the merge can check each part against
 * the job it was rendered for.
 *
 * The shard of a key: FNV-1a 64 of the key string (Fowler, Noll, Vo;
 * http://www.isthe.com/chongo/tech/comp/fnv/: short strings, no table, the
 * same on every platform) fed to the jump consistent hash (Lamping & Veach,
 * "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014, arXiv:1406.2294),
 * in integer arithmetic (the paper's double division gives the same split
 * but bit-identical results across compilers are easier to promise without
 * it).  Each job is hashed on its own, so:
 *  - adding or removing tracks never moves an existing job to another shard
 *    (a contiguous split of a sorted list would move most of them);
 *  - going from N to N+1 shards moves only ~1/(N+1) of the jobs, all to the
 *    new shard (hash mod N would move ~N/(N+1) of them), so parts already
 *    rendered in a shard's own folder mostly stay useful.
 * Pure functions: any thread.
 */
#ifndef CS_SHARD_H
#define CS_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pkg/err.h"

#define CS_SHARD_MAX 100000   /* shards; a Slurm array is at most this large by default */

typedef struct cs_shard {
    unsigned index;   /* 0 .. count-1 (Slurm's SLURM_ARRAY_TASK_ID, parallel's {%}-1) */
    unsigned count;   /* >= 1 */
} cs_shard;

/* Parses "I/N" (decimal, 0 <= I < N <= CS_SHARD_MAX).  0, or CS_ERR_USAGE with
 * err saying what is wrong. */
int cs_shard_parse(const char *s, cs_shard *sh, cs_err *err);

/* What makes one render job (one part file). */
typedef struct cs_shard_job {
    const char *part;          /* the part's path inside the set: "120.00/a_sectioned.wav" */
    long long source_bytes;    /* the source audio file's size */
    double ini_cue, end_cue;   /* seconds in the source */
    double bpm;                /* the track's own BPM */
    double target;             /* rung BPM; <= 0 for the original-speed cut */
    const char *method;        /* "rubberband", "wsola", "atempo", "rate"; ignored for the cut */
    const char *quality;       /* "best"/"fast" (rubberband only; else ignored) */
    const char *format;        /* "wav16", "flac24", ... */
    int rate;                  /* output rate, 0: the source's */
    int version;               /* the pipeline's render version */
} cs_shard_job;

/* The job's key, "v2|120.00/a_sectioned.wav|1234|12.5|40.0|122.0|120.0|rubberband/best|wav16|0",
 * into buf[n] (cues and BPMs as cs_fmt_double writes them: shortest round trip).
 * Returns its length, or -1 when it does not fit. */
int cs_shard_key(char *buf, size_t n, const cs_shard_job *j);

/* FNV-1a 64 of the NUL-terminated s. */
uint64_t cs_shard_fnv1a(const char *s);
/* Jump consistent hash: the bucket 0..count-1 of h (count >= 1). */
unsigned cs_shard_jump(uint64_t h, unsigned count);
/* The shard (0..count-1) a key belongs to. */
unsigned cs_shard_of(const char *key, unsigned count);
/* True when key belongs to sh. */
bool cs_shard_mine(const cs_shard *sh, const char *key);

/* The shard manifest's file name for sh, "cs-shard-I-of-N.json", into buf. */
void cs_shard_manifest_name(char *buf, size_t n, const cs_shard *sh);

#endif
