/* pkg/fsutil: cs_remove_stale_temps takes exactly the temporaries of one
 * output name ("." name ".tmp." pid "." n) whose process is gone: names with
 * glob characters, other outputs, live processes (this one too) and files
 * that only look alike stay. */
#include "tests/unit/unit.h"

#include "pkg/fsutil.h"

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[512];

static void touch(const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) fclose(f);
}

static bool exists(const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

static long dead_pid(void)
{
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return (long)p;
}

TEST(stale_temps_only_of_that_name_and_of_dead_processes)
{
    snprintf(dir, sizeof dir, "%s/out", unit_tmpdir());
    CHECK(cs_mkdirs(dir) == 0);
    long dead = dead_pid(), self = (long)getpid();
    char n[7][200];
    snprintf(n[0], 200, ".T [AB]_s.wav.tmp.%ld.0", dead);      /* stale: goes */
    snprintf(n[1], 200, ".T [AB]_s.wav.tmp.%ld.3", dead);      /* stale: goes */
    snprintf(n[2], 200, ".T [AB]_s.wav.tmp.1.0");               /* pid 1 lives */
    snprintf(n[3], 200, ".T [AB]_s.wav.tmp.%ld.0", self);      /* this process */
    snprintf(n[4], 200, ".T [AB]_s.wav.tmp.bak");               /* not a temp */
    snprintf(n[5], 200, ".T A_s.wav.tmp.%ld.0", dead);          /* another output */
    snprintf(n[6], 200, ".T [AB]_s.wav.tmp.%ld.0x", dead);     /* not a temp */
    for (int i = 0; i < 7; i++) touch(n[i]);
    touch("T [AB]_s.wav");
    char out[700];
    snprintf(out, sizeof out, "%s/T [AB]_s.wav", dir);
    cs_remove_stale_temps(out);
    CHECK(!exists(n[0]));
    CHECK(!exists(n[1]));
    for (int i = 2; i < 7; i++) CHECK(exists(n[i]));
    CHECK(exists("T [AB]_s.wav"));
}

TEST(stale_temps_of_a_bare_name_in_the_working_directory)
{
    snprintf(dir, sizeof dir, "%s/cwd", unit_tmpdir());
    CHECK(cs_mkdirs(dir) == 0);
    char old[1024];
    CHECK(getcwd(old, sizeof old) != NULL);
    CHECK(chdir(dir) == 0);
    char t[200];
    snprintf(t, sizeof t, ".set.csv.tmp.%ld.0", dead_pid());
    touch(t);
    cs_remove_stale_temps("set.csv");
    CHECK(!exists(t));
    CHECK(chdir(old) == 0);
}
