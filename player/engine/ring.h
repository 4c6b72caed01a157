/* Single-producer single-consumer lock-free ring of fixed-size elements.
 *
 * The one way state and audio cross between the player's threads: commands
 * (control → audio), retired streams (audio → control) and decoded audio
 * (reader → audio).  Exactly one thread pushes and exactly one pops; neither
 * ever blocks, allocates or takes a lock, so the audio callback may use it.
 * Storage is allocated once by cs_ring_init (not on the real-time side).
 *
 *   cs_ring q;
 *   cs_ring_init(&q, 1024, sizeof(cmd));     // capacity rounded up to 2^k
 *   cs_ring_push(&q, &c);                    // producer: false when full
 *   while (cs_ring_pop(&q, &c)) ...;         // consumer: false when empty
 *
 * The bulk calls (cs_ring_write/cs_ring_peek/cs_ring_advance) move many
 * elements with one pair of atomic operations, as the audio rings need.
 *
 * Invariants (assert()ed in debug and test builds; the release build defines
 * NDEBUG): head and tail only grow (size_t wraps are harmless: only
 * head - tail is used); 0 <= head - tail <= capacity; a consumer never reads
 * or releases more than is readable.
 */
#ifndef CS_PLAYER_RING_H
#define CS_PLAYER_RING_H

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct cs_ring {
    /* Head and tail on separate cache lines so the two threads do not
     * bounce one line between cores on every operation. */
    _Alignas(64) atomic_size_t head;   /* next slot to write (producer) */
    _Alignas(64) atomic_size_t tail;   /* next slot to read (consumer) */
    _Alignas(64) size_t mask;          /* capacity - 1, capacity = 2^k */
    size_t elem;
    unsigned char *buf;
} cs_ring;

static inline int cs_ring_init(cs_ring *r, size_t capacity, size_t elem)
{
    assert(elem > 0 && capacity > 0);
    size_t cap = 1;
    while (cap < capacity) cap <<= 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    r->mask = cap - 1;
    r->elem = elem;
    r->buf = calloc(cap, elem);
    return r->buf ? 0 : -1;
}

static inline void cs_ring_destroy(cs_ring *r)
{
    free(r->buf);
    r->buf = NULL;
}

static inline size_t cs_ring_capacity(const cs_ring *r) { return r->mask + 1; }

/* Elements ready to read: exact on the consumer side.  Any other thread
 * (the control thread's cs_stream_ready on a stream the reader fills and
 * the audio thread drains) gets an estimate within 0..capacity: the tail is
 * read first, so a head read after it is never behind it (read the other
 * way, both ends may pass the head read: head - tail wrapped), and while it
 * is read the producer may refill what the consumer freed (clamped). */
static inline size_t cs_ring_readable(cs_ring *r)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
    size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
    assert(h - t <= ((size_t)-1) / 2);   /* never behind the tail read before it */
    return h - t > cs_ring_capacity(r) ? cs_ring_capacity(r) : h - t;
}

/* Producer side: free slots. */
static inline size_t cs_ring_writable(cs_ring *r)
{
    size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
    return cs_ring_capacity(r) - (h - t);
}

/* Writes up to n elements; returns how many fitted. */
static inline size_t cs_ring_write(cs_ring *r, const void *items, size_t n)
{
    size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
    assert(h - t <= cs_ring_capacity(r));
    size_t room = cs_ring_capacity(r) - (h - t);
    if (n > room) n = room;
    size_t at = h & r->mask;
    size_t first = cs_ring_capacity(r) - at;
    if (first > n) first = n;
    memcpy(r->buf + at * r->elem, items, first * r->elem);
    memcpy(r->buf, (const unsigned char *)items + first * r->elem, (n - first) * r->elem);
    atomic_store_explicit(&r->head, h + n, memory_order_release);
    return n;
}

/* Consumer: pointer to the element `i` places after the read position
 * (i < cs_ring_readable(); i = 0 on an empty ring gives the read position
 * itself, not an element).  Valid until cs_ring_advance passes it. */
static inline void *cs_ring_at(const cs_ring *r, size_t i)
{
    size_t t = atomic_load_explicit(&((cs_ring *)r)->tail, memory_order_relaxed);
    assert(i == 0 || i < atomic_load_explicit(&((cs_ring *)r)->head, memory_order_acquire) - t);
    return r->buf + ((t + i) & r->mask) * r->elem;
}

/* Consumer: releases n elements (n <= readable). */
static inline void cs_ring_advance(cs_ring *r, size_t n)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    assert(n <= atomic_load_explicit(&r->head, memory_order_acquire) - t);
    atomic_store_explicit(&r->tail, t + n, memory_order_release);
}

static inline bool cs_ring_push(cs_ring *r, const void *item)
{
    return cs_ring_write(r, item, 1) == 1;
}

static inline bool cs_ring_pop(cs_ring *r, void *item)
{
    if (cs_ring_readable(r) == 0) return false;
    memcpy(item, cs_ring_at(r, 0), r->elem);
    cs_ring_advance(r, 1);
    return true;
}

#endif
