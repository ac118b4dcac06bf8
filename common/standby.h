/*
 * standby.h - the recorder and the finishing step's helper that waits
 * for the program's exit (option standby): preload/finisher.c sends,
 * viewer/finisher/standby.c receives.
 *
 * The helper's end of their socket is descriptor GCT_STANDBY_FD.  At
 * exit the recorder sends one byte, 'g' with its standard error attached
 * (SCM_RIGHTS) or 'n' when it has none; the helper finishes the trace and
 * answers one byte, the status `gctrace finish` exits with.
 */
#ifndef GCT_STANDBY_H
#define GCT_STANDBY_H

#include <string.h>
#include <sys/socket.h>

#define GCT_STANDBY_FD 3

/* A one-byte message with room for one descriptor.  Not to be copied:
 * msg points into it. */
struct gct_standby_msg {
    char byte;
    struct iovec iov;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr msg;
};

/* Readies m to carry byte, without a descriptor. */
static inline void
gct_standby_msg_init(struct gct_standby_msg *m, char byte)
{
    memset(m, 0, sizeof *m);
    m->byte = byte;
    m->iov.iov_base = &m->byte;
    m->iov.iov_len = 1;
    m->msg.msg_iov = &m->iov;
    m->msg.msg_iovlen = 1;
}

/* Gives m room to receive a descriptor. */
static inline void
gct_standby_msg_room(struct gct_standby_msg *m)
{
    m->msg.msg_control = m->ctl.buf;
    m->msg.msg_controllen = sizeof m->ctl.buf;
}

/* Attaches descriptor fd to m, to send. */
static inline void
gct_standby_msg_attach(struct gct_standby_msg *m, int fd)
{
    gct_standby_msg_room(m);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m->msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fd);
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
}

#endif
