/* The --http page's HTML (http_page.c), served at / by http.c. */
#ifndef CS_PLAYER_HTTP_PAGE_H
#define CS_PLAYER_HTTP_PAGE_H

extern const char cs_http_page[];

#endif
