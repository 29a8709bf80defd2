// Image decoding for ImageDecoder through Debian's image libraries
// (libjpeg-turbo, libpng, libtiff, libwebp, OpenJPEG), each loaded the first
// time an image of its format is decoded rather than linked: most onyx
// processes never decode an image, and should not pay for loading five
// libraries (nor fail to start where one is missing). Their headers are
// needed only to build (the -dev packages); the shared libraries to decode.
//
// Every decoder gives 8-bit RGB, row by row, top row first: grey images as
// R = G = B, an alpha channel dropped, palettes expanded, 16-bit samples cut
// to their high byte. That is what PIL, which made the node suite's expected
// outputs, gives too, but for 16-bit grey, which PIL reads as 32-bit
// integers (and clips at 255 when it converts them to 8 bits).
#ifndef ONYX_IMAGE_H
#define ONYX_IMAGE_H

#include <stddef.h>

enum onyx_image_format {
    ONYX_IMAGE_JPEG = 1,
    ONYX_IMAGE_PNG = 2,
    ONYX_IMAGE_TIFF = 3,
    ONYX_IMAGE_WEBP = 4,
    ONYX_IMAGE_JPEG2000 = 5,
};

enum onyx_image_status {
    ONYX_IMAGE_OK = 0,
    /// The format's library could not be loaded (error holds dlerror's text).
    ONYX_IMAGE_UNAVAILABLE = 1,
    /// The data is no valid image of the format (error says why).
    ONYX_IMAGE_INVALID = 2,
    /// height × width × 3 passes the caller's budget (width and height set).
    ONYX_IMAGE_TOO_LARGE = 3,
};

typedef struct {
    /// height × width × 3 bytes (RGB), from malloc: onyx_image_free frees it.
    unsigned char *pixels;
    long long width;
    long long height;
    char error[256];
} onyx_image;

/// Decodes `size` bytes of `format` into `image` (zeroed by the call),
/// allocating at most `max_elements` output bytes; an onyx_image_status.
int onyx_image_decode(int format, const unsigned char *data, size_t size, long long max_elements, onyx_image *image);

/// Frees the pixels of a decoded image.
void onyx_image_free(onyx_image *image);

#endif
