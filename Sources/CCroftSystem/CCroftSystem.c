#define _GNU_SOURCE
#include "CCroftSystem.h"

// Linux is what this shim is for (epoll, eventfd, accept4, sched_getaffinity, per-thread nice). Elsewhere
// (macOS) the same functions exist so the module links, and fail with ENOSYS or report "not applicable":
// CroftHTTP uses its Dispatch poller there and never calls the epoll ones.
#include <errno.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sched.h>
#include <sys/syscall.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif

#if defined(__linux__)

int croft_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int croft_epoll_add(int epfd, int fd, uint32_t events) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = 0;
    event.data.fd = fd;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int croft_epoll_del(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }

int croft_epoll_wait(int epfd, int *fds, uint32_t *events, int max_events, int timeout_ms) {
    struct epoll_event buffer[256];
    if (max_events > 256) max_events = 256;
    int count = epoll_wait(epfd, buffer, max_events, timeout_ms);
    for (int i = 0; i < count; i++) {
        fds[i] = buffer[i].data.fd;
        events[i] = buffer[i].events;
    }
    return count;
}

int croft_eventfd_create(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

void croft_eventfd_signal(int fd) {
    eventfd_t one = 1;
    (void)eventfd_write(fd, one);
}

void croft_eventfd_drain(int fd) {
    eventfd_t value;
    (void)eventfd_read(fd, &value);
}

int croft_accept(int listener, struct sockaddr *address, unsigned int *length) {
    return accept4(listener, address, (socklen_t *)length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int croft_available_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
    return CPU_COUNT(&set);
}

#else  // not Linux: no epoll or eventfd; accept4 and CPU affinity are Linux's

int croft_epoll_create(void) { errno = ENOSYS; return -1; }
int croft_epoll_add(int epfd, int fd, uint32_t events) { (void)epfd; (void)fd; (void)events; errno = ENOSYS; return -1; }
int croft_epoll_del(int epfd, int fd) { (void)epfd; (void)fd; errno = ENOSYS; return -1; }
int croft_epoll_wait(int epfd, int *fds, uint32_t *events, int max_events, int timeout_ms) {
    (void)epfd; (void)fds; (void)events; (void)max_events; (void)timeout_ms;
    errno = ENOSYS;
    return -1;
}
int croft_eventfd_create(void) { errno = ENOSYS; return -1; }
void croft_eventfd_signal(int fd) { (void)fd; }
void croft_eventfd_drain(int fd) { (void)fd; }
int croft_accept(int listener, struct sockaddr *address, unsigned int *length) {
    return accept(listener, address, (socklen_t *)length);
}
int croft_available_cpus(void) { return 0; }

#endif

int croft_return_large_allocations_to_system(unsigned long bytes) {
#if defined(__GLIBC__)
    /* mallopt(3): setting M_MMAP_THRESHOLD disables its dynamic adjustment; M_TRIM_THRESHOLD likewise. */
    int mapped = mallopt(M_MMAP_THRESHOLD, (int)bytes);
    int trimmed = mallopt(M_TRIM_THRESHOLD, (int)(bytes * 2));
    return mapped == 1 && trimmed == 1;
#else
    (void)bytes;
    return 0;
#endif
}

int croft_set_current_thread_nice(int value) {
#if defined(__linux__)
    id_t thread = (id_t)syscall(SYS_gettid);
    int previous = getpriority(PRIO_PROCESS, thread);
    setpriority(PRIO_PROCESS, thread, value);
    return previous;
#else
    (void)value;
    return 0;
#endif
}
