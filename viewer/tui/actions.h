/*
 * actions.h - every key of the viewer, in one table (actions.c): the key
 * loop looks keys up there and the help screen is generated from it, so
 * keys and help cannot drift apart (tig's request table, htop's Action.c).
 */
#ifndef GCT_TUI_ACTIONS_H
#define GCT_TUI_ACTIONS_H

#include <stddef.h>

enum action {
    ACT_NONE = 0,
    ACT_DOWN, ACT_UP, ACT_PGDN, ACT_PGUP, ACT_FIRST, ACT_LAST,
    ACT_OPEN, ACT_BACK,
    ACT_NEXT_VIEW, ACT_PREV_VIEW,
    ACT_VIEW1, ACT_VIEW2, ACT_VIEW3, ACT_VIEW4, ACT_VIEW5, ACT_VIEW6,
    ACT_VIEW7,
    ACT_SEARCH, ACT_SEARCH_NEXT, ACT_SEARCH_PREV, ACT_FILTER,
    ACT_SORT, ACT_SORT_INVERT, ACT_CLASSES,
    ACT_ZOOM_IN, ACT_ZOOM_OUT, ACT_PAN_LEFT, ACT_PAN_RIGHT, ACT_TIMELINE,
    ACT_HELP, ACT_REDRAW, ACT_CLOSE, ACT_QUIT,
};

#define ACTION_MAXKEYS 6

struct action_def {
    enum action action;
    const char *group;   /* help section */
    int keys[ACTION_MAXKEYS]; /* curses key codes, 0-terminated */
    const char *help;
};

extern const struct action_def tui_actions[];
extern const int tui_nactions;

/* The action bound to key, or ACT_NONE. */
enum action action_for_key(int key);
/* A key's name for the help: "Down", "C-n", "j". */
const char *key_label(int key, char *buf, size_t len);

#endif
