/*
 * actions.c - the viewer's one action table: group, keys, help line.
 * The help screen (app.c) and docs/viewer.md are written from it.
 */
#include "actions.h"

#include <curses.h>
#include <stdio.h>

#define CTRL(c) ((c) & 0x1f)
#define ESC 27

const struct action_def tui_actions[] = {
    {ACT_DOWN, "Move", {KEY_DOWN, 'j', CTRL('n')}, "next line (next lane)"},
    {ACT_UP, "Move", {KEY_UP, 'k', CTRL('p')}, "previous line"},
    {ACT_PGDN, "Move", {KEY_NPAGE, ' ', CTRL('d')}, "next page"},
    {ACT_PGUP, "Move", {KEY_PPAGE, CTRL('u')}, "previous page"},
    {ACT_FIRST, "Move", {KEY_HOME, 'g'}, "first line"},
    {ACT_LAST, "Move", {KEY_END, 'G'}, "last line"},
    {ACT_OPEN, "Move", {'\n', '\r', KEY_ENTER, KEY_RIGHT, 'l'},
     "open the details (in the timeline, Right and l move "
     "the cursor)"},
    {ACT_BACK, "Move", {ESC, KEY_BACKSPACE, 127, KEY_LEFT, 'h', '<'},
     "back: close the pane, clear the filter, or go to the previous "
     "view (in the timeline, Left and h move the cursor)"},
    {ACT_NEXT_VIEW, "Views", {'\t'}, "next view"},
    {ACT_PREV_VIEW, "Views", {KEY_BTAB}, "previous view"},
    {ACT_VIEW1, "Views", {'1'}, "findings, most severe first"},
    {ACT_VIEW2, "Views", {'2'}, "threads: state at the end, waits"},
    {ACT_VIEW3, "Views", {'3'}, "timeline: one lane per thread"},
    {ACT_VIEW4, "Views", {'4'}, "locks: acquisitions, contention, waits"},
    {ACT_VIEW5, "Views", {'5'}, "channels and contexts"},
    {ACT_VIEW6, "Views", {'6'}, "lock-order graph: edges, cycles marked"},
    {ACT_VIEW7, "Views", {'7'}, "events: the raw event log"},
    {ACT_SEARCH, "Search", {'/'}, "search forward"},
    {ACT_SEARCH_NEXT, "Search", {'n'}, "next match"},
    {ACT_SEARCH_PREV, "Search", {'N'}, "previous match"},
    {ACT_FILTER, "Search", {'\\'},
     "filter: timeline lanes by thread name or tid; events by kind "
     "name, thread:TID or object:ID/NAME; Esc clears"},
    {ACT_SORT, "Sort", {'s'}, "sort by the next column"},
    {ACT_SORT_INVERT, "Sort", {'I'}, "invert the sort order"},
    {ACT_CLASSES, "Locks", {'c'},
     "locks view: rows per lock or per lock class (where made)"},
    {ACT_ZOOM_IN, "Timeline", {'+', '='}, "zoom in around the cursor"},
    {ACT_ZOOM_OUT, "Timeline", {'-', '_'}, "zoom out"},
    {ACT_PAN_LEFT, "Timeline", {'[', 'H'}, "pan left half a screen"},
    {ACT_PAN_RIGHT, "Timeline", {']', 'L'}, "pan right half a screen"},
    {ACT_TIMELINE, "Timeline", {'t'},
     "show the selected row's moment in the timeline"},
    {ACT_HELP, "Other", {'?', KEY_F(1)}, "this help"},
    {ACT_REDRAW, "Other", {CTRL('l')}, "redraw the screen"},
    {ACT_CLOSE, "Other", {'q'}, "close the pane; quit at the top level"},
    {ACT_QUIT, "Other", {'Q'}, "quit"},
};
const int tui_nactions = sizeof tui_actions / sizeof tui_actions[0];

enum action
action_for_key(int key)
{
    for (int i = 0; i < tui_nactions; i++)
        for (int k = 0; k < ACTION_MAXKEYS && tui_actions[i].keys[k]; k++)
            if (tui_actions[i].keys[k] == key)
                return tui_actions[i].action;
    return ACT_NONE;
}

const char *
key_label(int key, char *buf, size_t len)
{
    static const struct {
        int key;
        const char *name;
    } names[] = {
        {KEY_DOWN, "Down"}, {KEY_UP, "Up"}, {KEY_LEFT, "Left"},
        {KEY_RIGHT, "Right"}, {KEY_NPAGE, "PgDn"}, {KEY_PPAGE, "PgUp"},
        {KEY_HOME, "Home"}, {KEY_END, "End"}, {KEY_ENTER, NULL},
        {'\n', "Enter"}, {'\r', NULL}, {ESC, "Esc"},
        {KEY_BACKSPACE, "Backspace"}, {127, NULL}, {'\t', "Tab"},
        {KEY_BTAB, "S-Tab"}, {' ', "Space"}, {KEY_F(1), "F1"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].key == key)
            return names[i].name; /* NULL: a duplicate, not shown */
    if (key > 0 && key < 32)
        snprintf(buf, len, "C-%c", key + 'a' - 1);
    else
        snprintf(buf, len, "%c", key);
    return buf;
}
