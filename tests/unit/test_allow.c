/* --allow-dir: realpath, then a prefix check on a path boundary; control
 * refuses loads outside and changes nothing. */
#include "tests/unit/unit.h"

#include "player/control/allow.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f) fclose(f);
}

static char root[512], music[600], music2[600];

static void setup(void)
{
    snprintf(root, sizeof root, "%s", unit_tmpdir());
    snprintf(music, sizeof music, "%s/music", root);
    snprintf(music2, sizeof music2, "%s/music2", root);
    mkdir(music, 0755);
    mkdir(music2, 0755);
    char p[700];
    snprintf(p, sizeof p, "%s/a.wav", music);
    touch(p);
    snprintf(p, sizeof p, "%s/b.wav", music2);
    touch(p);
    snprintf(p, sizeof p, "%s/link.wav", music);
    symlink("/etc/passwd", p);
}

static int check(cs_allow *a, const char *dir, const char *rest)
{
    char p[800];
    snprintf(p, sizeof p, "%s%s", dir, rest);
    cs_err err = {0};
    return cs_allow_check(a, p, &err);
}

TEST(allow_inside_and_boundary)
{
    setup();
    cs_allow *a = cs_allow_new();
    cs_err err = {0};
    CHECK(cs_allow_add(a, music, true, &err) == 0);
    CHECK(cs_allow_add(a, music, true, &err) == 0);
    CHECK_EQ_INT(cs_allow_count(a), 1);
    int in = check(a, music, "/a.wav");
    int dotdot = check(a, music, "/../music/a.wav");
    int sibling = check(a, music2, "/b.wav");          /* "/music" must not allow "/music2" */
    int escape = check(a, music, "/../music2/b.wav");
    int passwd = check(a, "/etc/passwd", "");
    int link = check(a, music, "/link.wav");           /* symlink out of the folder */
    int missing_in = check(a, music, "/nope.wav");     /* judged by its folder: allowed */
    int missing_out = check(a, music, "/../../../x.wav");
    cs_allow_free(a);
    CHECK_EQ_INT(in, 0);
    CHECK_EQ_INT(dotdot, 0);
    CHECK_EQ_INT(sibling, CS_ERR_DENIED);
    CHECK_EQ_INT(escape, CS_ERR_DENIED);
    CHECK_EQ_INT(passwd, CS_ERR_DENIED);
    CHECK_EQ_INT(link, CS_ERR_DENIED);
    CHECK_EQ_INT(missing_in, 0);
    CHECK_EQ_INT(missing_out, CS_ERR_DENIED);
}

TEST(allow_single_file_and_missing_dir)
{
    setup();
    cs_allow *a = cs_allow_new();
    cs_err err = {0};
    char f[700];
    snprintf(f, sizeof f, "%s/b.wav", music2);
    CHECK(cs_allow_add(a, f, false, &err) == 0);
    int dir_rc = cs_allow_add(a, "/nonexistent/dir", true, &err);
    int file = check(a, music2, "/b.wav");
    int other = check(a, music, "/a.wav");
    cs_allow_free(a);
    CHECK_EQ_INT(dir_rc, CS_ERR_IO);
    CHECK_EQ_INT(file, 0);
    CHECK_EQ_INT(other, CS_ERR_DENIED);
}

TEST(allow_root_allows_all)
{
    cs_allow *a = cs_allow_new();
    cs_err err = {0};
    CHECK(cs_allow_add(a, "/", true, &err) == 0);
    int r = check(a, "/etc/passwd", "");
    cs_allow_free(a);
    CHECK_EQ_INT(r, 0);
}

/* A symlinked folder inside an allowed folder is allowed (the user put the
 * link there); ".." through it, and a file symlink out, are still judged
 * by where they lead. */
TEST(allow_symlinked_folder_inside)
{
    setup();
    char usb[700], deep[700], sub[700];
    snprintf(usb, sizeof usb, "%s/usb", music);            /* music/usb -> music2 */
    symlink(music2, usb);
    snprintf(sub, sizeof sub, "%s/sub", music);
    mkdir(sub, 0755);
    snprintf(deep, sizeof deep, "%s/sub/deep", music);     /* music/sub/deep -> root */
    symlink(root, deep);
    cs_allow *a = cs_allow_new();
    cs_err err = {0};
    CHECK(cs_allow_add(a, music, true, &err) == 0);
    int via_link = check(a, music, "/usb/b.wav");
    int via_deep = check(a, music, "/sub/deep/music2/b.wav");
    int dotdot = check(a, music, "/usb/../music2/b.wav");
    int file_link = check(a, music, "/link.wav");
    /* Relative, from inside the allowed folder. */
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(music) == 0);
    int relative = check(a, "usb", "/b.wav");
    CHECK(chdir(cwd) == 0);
    cs_allow_free(a);
    CHECK_EQ_INT(via_link, 0);
    CHECK_EQ_INT(via_deep, 0);
    CHECK_EQ_INT(dotdot, CS_ERR_DENIED);
    CHECK_EQ_INT(file_link, CS_ERR_DENIED);
    CHECK_EQ_INT(relative, 0);
}

/* A refusal names the flag that allows it, once per folder. */
TEST(allow_refusal_names_the_flag_once_per_folder)
{
    setup();
    cs_allow *a = cs_allow_new();
    cs_err e1 = {0}, e2 = {0}, e3 = {0};
    CHECK(cs_allow_add(a, music, true, &e1) == 0);
    char b[700], c[700];
    snprintf(b, sizeof b, "%s/b.wav", music2);
    snprintf(c, sizeof c, "%s/c.wav", music2);
    int r1 = cs_allow_check(a, b, &e1), r2 = cs_allow_check(a, c, &e2), r3 = cs_allow_check(a, "/etc/passwd", &e3);
    cs_allow_free(a);
    CHECK(r1 == CS_ERR_DENIED && r2 == CS_ERR_DENIED && r3 == CS_ERR_DENIED);
    char want[800];
    snprintf(want, sizeof want, "(cs play --allow-dir %s allows it)", music2);
    CHECK(strstr(e1.msg, want) != NULL);
    CHECK(strstr(e2.msg, "--allow-dir") == NULL);
    CHECK(strstr(e2.msg, "outside the allowed folders") != NULL);
    CHECK(strstr(e3.msg, "(cs play --allow-dir /etc allows it)") != NULL);
}
