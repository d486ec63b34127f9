// Thin C helpers over Linux epoll and eventfd, which Swift's Glibc module does not export; on other systems
// they exist and fail with ENOSYS (CroftHTTP's Dispatch poller is used there).
// epoll_event is a packed struct on x86_64; these wrappers unpack it so Swift never touches the layout.
#ifndef CCROFT_SYSTEM_H
#define CCROFT_SYSTEM_H

#include <stdint.h>

#define CROFT_EPOLLIN 0x001u
#define CROFT_EPOLLOUT 0x004u
#define CROFT_EPOLLERR 0x008u
#define CROFT_EPOLLHUP 0x010u
#define CROFT_EPOLLRDHUP 0x2000u
#define CROFT_EPOLLEXCLUSIVE (1u << 28)
#define CROFT_EPOLLET (1u << 31)

/// epoll_create1(EPOLL_CLOEXEC); -1 and errno on failure.
int croft_epoll_create(void);
/// epoll_ctl with EPOLL_CTL_ADD; data.fd = fd.
int croft_epoll_add(int epfd, int fd, uint32_t events);
/// epoll_ctl with EPOLL_CTL_DEL.
int croft_epoll_del(int epfd, int fd);
/// epoll_wait, writing each ready descriptor and its event mask into the two arrays.
int croft_epoll_wait(int epfd, int *fds, uint32_t *events, int max_events, int timeout_ms);
/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC).
int croft_eventfd_create(void);
/// Adds 1 to the eventfd counter, waking its poller.
void croft_eventfd_signal(int fd);
/// Resets the eventfd counter.
void croft_eventfd_drain(int fd);

/// accept4(listener, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC).
struct sockaddr;
int croft_accept(int listener, struct sockaddr *address, unsigned int *length);

/// The number of CPUs this process may run on (sched_getaffinity, so taskset is honoured); 0 if unknown.
int croft_available_cpus(void);

/// Fixes glibc's mmap threshold at `bytes` (it otherwise grows to 32 MiB after the first large free), so a
/// request body or response buffer above it is mapped on its own and given back to the system when freed,
/// instead of staying in the heap as resident memory. Returns 1 on success, 0 where it does not apply.
int croft_return_large_allocations_to_system(unsigned long bytes);

/// Sets the calling thread's nice value (Linux: nice is per thread) and returns the previous one, so CPU-heavy
/// work such as password hashing yields to the event loops when cores are contended, then restores it.
int croft_set_current_thread_nice(int value);

#endif
