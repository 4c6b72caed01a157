#include "pkg/err.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>

static atomic_int log_level = CS_LOG_NORMAL;

static void vset(cs_err *err, int code, const char *fmt, va_list ap)
{
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    err->code = code;
}

int cs_err_set(cs_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vset(err, CS_ERR_FAIL, fmt, ap);
        va_end(ap);
    }
    return CS_ERR_FAIL;
}

int cs_err_setc(cs_err *err, int code, const char *fmt, ...)
{
    if (code >= 0 || code <= -CS_ERR_CODES) code = CS_ERR_FAIL; /* never a success */
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vset(err, code, fmt, ap);
        va_end(ap);
    }
    return code;
}

int cs_err_nomem(cs_err *err)
{
    return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
}

const char *cs_err_name(int code)
{
    static const char *const names[CS_ERR_CODES] = {
        "CS_ERR_OK",     "CS_ERR_FAIL",  "CS_ERR_NOMEM",     "CS_ERR_IO",
        "CS_ERR_FORMAT", "CS_ERR_RANGE", "CS_ERR_NOT_FOUND", "CS_ERR_DB",
        "CS_ERR_USAGE",  "CS_ERR_CODEC", "CS_ERR_DENIED",    "CS_ERR_SYSTEM",
    };
    return code <= 0 && code > -CS_ERR_CODES ? names[-code] : "CS_ERR_?";
}

void cs_log_set_level(int level) { atomic_store(&log_level, level); }
int cs_log_level(void) { return atomic_load(&log_level); }

/* The status line at the bottom of a terminal (cs_log_status_line); the
 * lock keeps it and the log lines above it whole between threads. */
static pthread_mutex_t status_lock = PTHREAD_MUTEX_INITIALIZER;
static char status_text[512];

/* One fprintf per line keeps lines whole when threads log concurrently.
 * With a status line shown: erase it, print the line, draw it again. */
__attribute__((format(printf, 2, 0))) static void emit(const char *prefix, const char *fmt, va_list ap)
{
    char line[2048];
    vsnprintf(line, sizeof line, fmt, ap);
    pthread_mutex_lock(&status_lock);
    if (status_text[0]) fprintf(stderr, "\r\033[Kcs: %s%s\n%s", prefix, line, status_text);
    else fprintf(stderr, "cs: %s%s\n", prefix, line);
    fflush(stderr);
    pthread_mutex_unlock(&status_lock);
}

void cs_log_status_line(const char *text)
{
    pthread_mutex_lock(&status_lock);
    bool was = status_text[0] != 0;
    snprintf(status_text, sizeof status_text, "%s", text ? text : "");
    if (status_text[0]) fprintf(stderr, "\r\033[K%s", status_text);
    else if (was) fputs("\r\033[K", stderr);
    fflush(stderr);
    pthread_mutex_unlock(&status_lock);
}

void cs_log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error: ", fmt, ap);
    va_end(ap);
}

void cs_log_warn(const char *fmt, ...)
{
    if (cs_log_level() < CS_LOG_NORMAL) return;
    va_list ap;
    va_start(ap, fmt);
    emit("warning: ", fmt, ap);
    va_end(ap);
}

void cs_log_info(const char *fmt, ...)
{
    if (cs_log_level() < CS_LOG_NORMAL) return;
    va_list ap;
    va_start(ap, fmt);
    emit("", fmt, ap);
    va_end(ap);
}

void cs_log_debug(const char *fmt, ...)
{
    if (cs_log_level() < CS_LOG_VERBOSE) return;
    va_list ap;
    va_start(ap, fmt);
    emit("debug: ", fmt, ap);
    va_end(ap);
}
