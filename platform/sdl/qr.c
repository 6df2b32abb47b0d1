/*
 * qr: a UI_CMD_QR drawn (the comment offer's phone link): libqrencode
 * makes the modules, at error correction M; each dark module is a square
 * of whole pixels, the code centred in the command's square with the
 * quiet zone the standard asks (4 modules) in the command's colour.
 */
#include <string.h>

#include <qrencode.h>

#include "display_private.h"
#include "log.h"

bool draw_qr(struct display *d, const struct ui_cmd *cmd)
{
    if (cmd->text == NULL || cmd->text[0] == '\0' || cmd->rect.w <= 0)
        return true;
    QRcode *qr = QRcode_encodeString(cmd->text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (qr == NULL) {
        log_error("draw: a QR code of %zu bytes cannot be made", strlen(cmd->text));
        return false;
    }
    int side = cmd->rect.w < cmd->rect.h ? cmd->rect.w : cmd->rect.h;
    int modules = qr->width + 8; /* with the quiet zone */
    int px = side / modules;
    bool ok = px >= 1;
    if (!ok)
        log_error("draw: a QR code of %d modules does not fit %d px", modules, side);
    int x0 = cmd->rect.x + (cmd->rect.w - px * qr->width) / 2;
    int y0 = cmd->rect.y + (cmd->rect.h - px * qr->width) / 2;
    SDL_SetRenderDrawBlendMode(d->renderer, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(d->renderer, cmd->color.r, cmd->color.g, cmd->color.b, 255);
    SDL_Rect back = {cmd->rect.x, cmd->rect.y, cmd->rect.w, cmd->rect.h};
    ok = ok && SDL_RenderFillRect(d->renderer, &back) == 0;
    SDL_SetRenderDrawColor(d->renderer, 0, 0, 0, 255);
    for (int y = 0; ok && y < qr->width; y++)
        for (int x = 0; ok && x < qr->width; x++)
            if (qr->data[y * qr->width + x] & 1) {
                SDL_Rect m = {x0 + x * px, y0 + y * px, px, px};
                ok = SDL_RenderFillRect(d->renderer, &m) == 0;
            }
    QRcode_free(qr);
    return ok;
}
