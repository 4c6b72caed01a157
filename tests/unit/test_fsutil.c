/* pkg/fsutil: cs_remove_stale_temps takes exactly the temporaries of one
 * output name ("." name ".tmp." pid "." n) whose process is gone: names with
 * glob characters, other outputs, live processes (this one too) and files
 * that only look alike stay. */
#include "tests/unit/unit.h"

#include "pkg/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

TEST(temporary_is_the_name_stale_removal_knows_and_commits_by_rename)
{
    snprintf(dir, sizeof dir, "%s", unit_tmpdir());
    char out[4096], tmp[CS_TEMP_NAME_MAX] = "";
    snprintf(out, sizeof out, "%s/a [1].csv", dir);
    FILE *f = cs_temp_fopen(out, tmp);
    CHECK(f != NULL && tmp[0]);
    if (!f) return;
    char want[4096];
    snprintf(want, sizeof want, "%s/.a [1].csv.tmp.%ld.", dir, (long)getpid());
    CHECK(strncmp(tmp, want, strlen(want)) == 0);   /* "<dir>/.<name>.tmp.<pid>.<n>" */
    fputs("x\n", f);
    CHECK(!exists("a [1].csv"));                     /* nothing under the final name yet */
    CHECK_EQ_INT(cs_temp_fcommit(f, tmp, out), 0);
    CHECK(exists("a [1].csv"));
    /* abort: the temporary goes, the final name is untouched */
    int fd = cs_temp_open(out, tmp);
    CHECK(fd >= 0);
    char keep[4096];
    snprintf(keep, sizeof keep, "%s", tmp);
    cs_temp_abort(fd, tmp);
    CHECK(access(keep, F_OK) != 0);
    CHECK(exists("a [1].csv"));
    /* two temporaries of one name never collide (threads) */
    char t1[CS_TEMP_NAME_MAX], t2[CS_TEMP_NAME_MAX];
    int f1 = cs_temp_open(out, t1), f2 = cs_temp_open(out, t2);
    CHECK(f1 >= 0 && f2 >= 0 && strcmp(t1, t2) != 0);
    cs_temp_abort(f1, t1);
    cs_temp_abort(f2, t2);
    /* a path with no file name is refused */
    CHECK_EQ_INT(cs_temp_open("somewhere/", tmp), -1);
    /* cs_write_atomic goes the same way: whole file, no temporary left */
    CHECK_EQ_INT(cs_write_atomic(out, "yz\n", 3), 0);
    char *back = cs_read_file(out, NULL);
    CHECK(back && !strcmp(back, "yz\n"));
    free(back);
}
