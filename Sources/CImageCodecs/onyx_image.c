#include "onyx_image.h"

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The libraries' own headers, for their types and prototypes only: every
// function is reached through a pointer that dlsym fills (`__typeof__` of
// the declaration), so nothing here links against them.
#include <jpeglib.h>
#include <jerror.h>
#include <openjpeg-2.5/openjpeg.h>
#include <png.h>
#include <tiffio.h>
#include <webp/decode.h>

// MARK: - Shared

static int fail(onyx_image *image, int status, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(image->error, sizeof image->error, format, arguments);
    va_end(arguments);
    free(image->pixels);
    image->pixels = NULL;
    return status;
}

// Records the size and checks it against the budget before anything of that
// size is allocated: a file's dims are claims, not facts.
static int check_size(onyx_image *image, long long width, long long height, long long max_elements) {
    image->width = width;
    image->height = height;
    if (width <= 0 || height <= 0) return fail(image, ONYX_IMAGE_INVALID, "the image is %lld x %lld pixels", width, height);
    if (width > max_elements / 3 / height) return ONYX_IMAGE_TOO_LARGE;
    image->pixels = malloc((size_t)(width * height * 3));
    if (image->pixels == NULL) return fail(image, ONYX_IMAGE_TOO_LARGE, "no memory for %lld x %lld pixels", width, height);
    return ONYX_IMAGE_OK;
}

// The encoded bytes, read front to back by the libraries' callbacks.
struct source {
    const unsigned char *data;
    size_t size;
    size_t position;
};

static size_t source_read(struct source *source, void *out, size_t length) {
    size_t left = source->size - source->position;
    if (length > left) length = left;
    memcpy(out, source->data + source->position, length);
    source->position += length;
    return length;
}

struct symbol {
    const char *name;
    void **slot;
};

// Opens the first of `sonames` that loads and resolves every symbol; NULL
// with `error` set otherwise.
static void *open_library(const char *const *sonames, const struct symbol *symbols, char *error, size_t error_size) {
    void *handle = NULL;
    for (const char *const *name = sonames; *name != NULL && handle == NULL; name++) {
        handle = dlopen(*name, RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL && name == sonames) snprintf(error, error_size, "%s", dlerror());
    }
    if (handle == NULL) return NULL;
    for (const struct symbol *symbol = symbols; symbol->name != NULL; symbol++) {
        *symbol->slot = dlsym(handle, symbol->name);
        if (*symbol->slot == NULL) {
            snprintf(error, error_size, "%s has no %s", sonames[0], symbol->name);
            return NULL;
        }
    }
    return handle;
}

// Every library the same way: `name.once` loads it, `name.handle` is NULL
// when that failed (and `name.error` says why).
#define LIBRARY_STATE  \
    pthread_once_t once; \
    void *handle;        \
    char error[200]

#define SYMBOL(library, function) {#function, (void **)&library.function}

// MARK: - JPEG (libjpeg-turbo)

static struct {
    LIBRARY_STATE;
    __typeof__(jpeg_std_error) *jpeg_std_error;
    __typeof__(jpeg_CreateDecompress) *jpeg_CreateDecompress;
    __typeof__(jpeg_mem_src) *jpeg_mem_src;
    __typeof__(jpeg_read_header) *jpeg_read_header;
    __typeof__(jpeg_start_decompress) *jpeg_start_decompress;
    __typeof__(jpeg_read_scanlines) *jpeg_read_scanlines;
    __typeof__(jpeg_finish_decompress) *jpeg_finish_decompress;
    __typeof__(jpeg_destroy_decompress) *jpeg_destroy_decompress;
} jpeg = {.once = PTHREAD_ONCE_INIT};

static void load_jpeg(void) {
    // Only the 6.2 ABI the header describes (Debian's libjpeg62-turbo): a
    // libjpeg.so of another ABI refuses our struct size when created.
    static const char *const sonames[] = {"libjpeg.so.62", "libjpeg.so", NULL};
    const struct symbol symbols[] = {
        SYMBOL(jpeg, jpeg_std_error), SYMBOL(jpeg, jpeg_CreateDecompress), SYMBOL(jpeg, jpeg_mem_src),
        SYMBOL(jpeg, jpeg_read_header), SYMBOL(jpeg, jpeg_start_decompress), SYMBOL(jpeg, jpeg_read_scanlines),
        SYMBOL(jpeg, jpeg_finish_decompress), SYMBOL(jpeg, jpeg_destroy_decompress), {NULL, NULL},
    };
    jpeg.handle = open_library(sonames, symbols, jpeg.error, sizeof jpeg.error);
}

struct jpeg_failure {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    onyx_image *image;
};

static void jpeg_exit(j_common_ptr info) {
    struct jpeg_failure *failure = (struct jpeg_failure *)info->err;
    char message[JMSG_LENGTH_MAX];
    info->err->format_message(info, message);
    snprintf(failure->image->error, sizeof failure->image->error, "%s", message);
    longjmp(failure->jump, 1);
}

// Warnings and traces stay quiet (libjpeg would print them), except the
// one for data that ends early: libjpeg would pad the image with grey,
// where PIL refuses a truncated file.
static void jpeg_message(j_common_ptr info, int level) {
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) jpeg_exit(info);
}

static int decode_jpeg(const unsigned char *data, size_t size, long long max_elements, onyx_image *image) {
    struct jpeg_decompress_struct info;
    struct jpeg_failure failure;
    memset(&info, 0, sizeof info);
    failure.image = image;
    info.err = jpeg.jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_exit;
    failure.manager.emit_message = jpeg_message;
    if (setjmp(failure.jump)) {
        jpeg.jpeg_destroy_decompress(&info);
        free(image->pixels);
        image->pixels = NULL;
        return ONYX_IMAGE_INVALID;
    }
    jpeg.jpeg_CreateDecompress(&info, JPEG_LIB_VERSION, sizeof info);
    jpeg.jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg.jpeg_read_header(&info, TRUE);
    int status = check_size(image, info.image_width, info.image_height, max_elements);
    if (status != ONYX_IMAGE_OK) {
        jpeg.jpeg_destroy_decompress(&info);
        return status;
    }
    // libjpeg-turbo turns greyscale and YCbCr alike into RGB.
    info.out_color_space = JCS_RGB;
    jpeg.jpeg_start_decompress(&info);
    if (info.output_components != 3 || info.output_width != info.image_width ||
        info.output_height != info.image_height) {
        jpeg.jpeg_destroy_decompress(&info);
        return fail(image, ONYX_IMAGE_INVALID, "libjpeg gives %d components, not RGB", info.output_components);
    }
    size_t stride = (size_t)info.output_width * 3;
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = image->pixels + info.output_scanline * stride;
        jpeg.jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg.jpeg_finish_decompress(&info);
    jpeg.jpeg_destroy_decompress(&info);
    return ONYX_IMAGE_OK;
}

// MARK: - PNG (libpng 1.6)

static struct {
    LIBRARY_STATE;
    __typeof__(png_create_read_struct) *png_create_read_struct;
    __typeof__(png_create_info_struct) *png_create_info_struct;
    __typeof__(png_destroy_read_struct) *png_destroy_read_struct;
    __typeof__(png_set_read_fn) *png_set_read_fn;
    __typeof__(png_get_io_ptr) *png_get_io_ptr;
    __typeof__(png_get_error_ptr) *png_get_error_ptr;
    __typeof__(png_error) *png_error;
    __typeof__(png_read_info) *png_read_info;
    __typeof__(png_get_IHDR) *png_get_IHDR;
    __typeof__(png_set_expand) *png_set_expand;
    __typeof__(png_set_strip_16) *png_set_strip_16;
    __typeof__(png_set_strip_alpha) *png_set_strip_alpha;
    __typeof__(png_set_gray_to_rgb) *png_set_gray_to_rgb;
    __typeof__(png_set_interlace_handling) *png_set_interlace_handling;
    __typeof__(png_read_update_info) *png_read_update_info;
    __typeof__(png_get_rowbytes) *png_get_rowbytes;
    __typeof__(png_read_image) *png_read_image;
    __typeof__(png_read_end) *png_read_end;
} png = {.once = PTHREAD_ONCE_INIT};

static void load_png(void) {
    static const char *const sonames[] = {"libpng16.so.16", "libpng16.so", NULL};
    const struct symbol symbols[] = {
        SYMBOL(png, png_create_read_struct), SYMBOL(png, png_create_info_struct), SYMBOL(png, png_destroy_read_struct),
        SYMBOL(png, png_set_read_fn), SYMBOL(png, png_get_io_ptr), SYMBOL(png, png_get_error_ptr),
        SYMBOL(png, png_error), SYMBOL(png, png_read_info), SYMBOL(png, png_get_IHDR), SYMBOL(png, png_set_expand),
        SYMBOL(png, png_set_strip_16), SYMBOL(png, png_set_strip_alpha), SYMBOL(png, png_set_gray_to_rgb),
        SYMBOL(png, png_set_interlace_handling), SYMBOL(png, png_read_update_info), SYMBOL(png, png_get_rowbytes),
        SYMBOL(png, png_read_image), SYMBOL(png, png_read_end), {NULL, NULL},
    };
    png.handle = open_library(sonames, symbols, png.error, sizeof png.error);
}

struct png_failure {
    jmp_buf jump;
    onyx_image *image;
    struct source source;
};

static void png_fail(png_structp reader, png_const_charp message) {
    struct png_failure *failure = png.png_get_error_ptr(reader);
    snprintf(failure->image->error, sizeof failure->image->error, "%s", message);
    longjmp(failure->jump, 1);
}

static void png_quiet(png_structp reader, png_const_charp message) {
    (void)reader;
    (void)message;
}

static void png_read(png_structp reader, png_bytep out, size_t length) {
    struct png_failure *failure = png.png_get_io_ptr(reader);
    if (source_read(&failure->source, out, length) != length) png.png_error(reader, "the PNG data ends early");
}

static int decode_png(const unsigned char *data, size_t size, long long max_elements, onyx_image *image) {
    struct png_failure failure = {.image = image, .source = {data, size, 0}};
    png_structp reader = png.png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, png_fail, png_quiet);
    if (reader == NULL) return fail(image, ONYX_IMAGE_INVALID, "libpng %s cannot be used", PNG_LIBPNG_VER_STRING);
    png_infop info = png.png_create_info_struct(reader);
    png_bytep *volatile rows = NULL;
    if (info == NULL || setjmp(failure.jump)) {
        png.png_destroy_read_struct(&reader, &info, NULL);
        free(rows);
        free(image->pixels);
        image->pixels = NULL;
        return ONYX_IMAGE_INVALID;
    }
    png.png_set_read_fn(reader, &failure, png_read);
    png.png_read_info(reader, info);
    png_uint_32 width, height;
    int depth, color, interlace;
    png.png_get_IHDR(reader, info, &width, &height, &depth, &color, &interlace, NULL, NULL);
    int status = check_size(image, width, height, max_elements);
    if (status != ONYX_IMAGE_OK) {
        png.png_destroy_read_struct(&reader, &info, NULL);
        return status;
    }
    // Palettes and grey below 8 bits expanded, 16 bits cut to the high
    // byte, alpha dropped, grey spread to RGB.
    png.png_set_expand(reader);
    png.png_set_strip_16(reader);
    png.png_set_strip_alpha(reader);
    if ((color & PNG_COLOR_MASK_COLOR) == 0) png.png_set_gray_to_rgb(reader);
    png.png_set_interlace_handling(reader);
    png.png_read_update_info(reader, info);
    size_t stride = (size_t)width * 3;
    if (png.png_get_rowbytes(reader, info) != stride) png.png_error(reader, "the PNG does not decode to 8-bit RGB");
    rows = malloc(sizeof(png_bytep) * height);
    if (rows == NULL) png.png_error(reader, "no memory for the row table");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = image->pixels + y * stride;
    png.png_read_image(reader, rows);
    png.png_read_end(reader, NULL);
    png.png_destroy_read_struct(&reader, &info, NULL);
    free(rows);
    return ONYX_IMAGE_OK;
}

// MARK: - TIFF (libtiff 4)

static struct {
    LIBRARY_STATE;
    __typeof__(TIFFClientOpen) *TIFFClientOpen;
    __typeof__(TIFFClose) *TIFFClose;
    __typeof__(TIFFGetField) *TIFFGetField;
    __typeof__(TIFFReadRGBAImageOriented) *TIFFReadRGBAImageOriented;
    __typeof__(TIFFSetErrorHandler) *TIFFSetErrorHandler;
    __typeof__(TIFFSetWarningHandler) *TIFFSetWarningHandler;
    __typeof__(TIFFSetErrorHandlerExt) *TIFFSetErrorHandlerExt;
} tiff = {.once = PTHREAD_ONCE_INIT};

struct tiff_source {
    struct source source;
    onyx_image *image;
};

// libtiff reports errors through process-wide handlers, with the file's
// client handle: the message goes to the decode running on this thread
// when the handle is its own (another libtiff user's handles are left
// alone).
static _Thread_local struct tiff_source *tiff_current;

static void tiff_error(thandle_t handle, const char *module, const char *format, va_list arguments) {
    (void)module;
    struct tiff_source *current = tiff_current;
    if (current == NULL || handle != (thandle_t)current || current->image->error[0] != 0) return;
    vsnprintf(current->image->error, sizeof current->image->error, format, arguments);
}

static void load_tiff(void) {
    static const char *const sonames[] = {"libtiff.so.6", "libtiff.so.5", "libtiff.so", NULL};
    const struct symbol symbols[] = {
        SYMBOL(tiff, TIFFClientOpen), SYMBOL(tiff, TIFFClose), SYMBOL(tiff, TIFFGetField),
        SYMBOL(tiff, TIFFReadRGBAImageOriented), SYMBOL(tiff, TIFFSetErrorHandler), SYMBOL(tiff, TIFFSetWarningHandler),
        SYMBOL(tiff, TIFFSetErrorHandlerExt), {NULL, NULL},
    };
    tiff.handle = open_library(sonames, symbols, tiff.error, sizeof tiff.error);
    if (tiff.handle == NULL) return;
    // libtiff prints to stderr by default.
    tiff.TIFFSetErrorHandler(NULL);
    tiff.TIFFSetWarningHandler(NULL);
    tiff.TIFFSetErrorHandlerExt(tiff_error);
}

static tmsize_t tiff_read(thandle_t handle, void *out, tmsize_t length) {
    if (length < 0) return -1;
    return (tmsize_t)source_read(&((struct tiff_source *)handle)->source, out, (size_t)length);
}

static tmsize_t tiff_write(thandle_t handle, void *data, tmsize_t length) {
    (void)handle;
    (void)data;
    (void)length;
    return -1;
}

static toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
    struct source *source = &((struct tiff_source *)handle)->source;
    uint64_t base = whence == SEEK_CUR ? source->position : whence == SEEK_END ? source->size : 0;
    uint64_t target = base + offset;
    // Offsets are unsigned: a "negative" one wraps below base.
    if (target > source->size) return (toff_t)-1;
    source->position = (size_t)target;
    return target;
}

static int tiff_close(thandle_t handle) {
    (void)handle;
    return 0;
}

static toff_t tiff_size(thandle_t handle) { return ((struct tiff_source *)handle)->source.size; }

static int tiff_map(thandle_t handle, void **base, toff_t *size) {
    (void)handle;
    (void)base;
    (void)size;
    return 0;
}

static void tiff_unmap(thandle_t handle, void *base, toff_t size) {
    (void)handle;
    (void)base;
    (void)size;
}

static int decode_tiff(const unsigned char *data, size_t size, long long max_elements, onyx_image *image) {
    struct tiff_source source = {{data, size, 0}, image};
    tiff_current = &source;
    // "m": no memory mapping (the procedures above refuse it anyway).
    TIFF *file = tiff.TIFFClientOpen("ImageDecoder input", "rm", (thandle_t)&source, tiff_read, tiff_write, tiff_seek,
                                     tiff_close, tiff_size, tiff_map, tiff_unmap);
    int status = ONYX_IMAGE_OK;
    uint32_t width = 0, height = 0, *raster = NULL;
    if (file == NULL) {
        status = ONYX_IMAGE_INVALID;
        goto done;
    }
    tiff.TIFFGetField(file, TIFFTAG_IMAGEWIDTH, &width);
    tiff.TIFFGetField(file, TIFFTAG_IMAGELENGTH, &height);
    status = check_size(image, width, height, max_elements);
    if (status != ONYX_IMAGE_OK) goto done;
    // libtiff's RGBA reader handles every photometric and layout it knows;
    // packed ABGR words, one per pixel.
    raster = malloc(sizeof(uint32_t) * width * height);
    if (raster == NULL) {
        status = fail(image, ONYX_IMAGE_TOO_LARGE, "no memory for %u x %u pixels", width, height);
        goto done;
    }
    if (!tiff.TIFFReadRGBAImageOriented(file, width, height, raster, ORIENTATION_TOPLEFT, 1)) {
        status = ONYX_IMAGE_INVALID;
        goto done;
    }
    for (size_t i = 0; i < (size_t)width * height; i++) {
        image->pixels[3 * i] = (unsigned char)TIFFGetR(raster[i]);
        image->pixels[3 * i + 1] = (unsigned char)TIFFGetG(raster[i]);
        image->pixels[3 * i + 2] = (unsigned char)TIFFGetB(raster[i]);
    }
done:
    if (file != NULL) tiff.TIFFClose(file);
    tiff_current = NULL;
    free(raster);
    if (status == ONYX_IMAGE_INVALID) {
        if (image->error[0] == 0) snprintf(image->error, sizeof image->error, "libtiff cannot read the data");
        free(image->pixels);
        image->pixels = NULL;
    }
    return status;
}

// MARK: - WebP (libwebp)

static struct {
    LIBRARY_STATE;
    __typeof__(WebPGetInfo) *WebPGetInfo;
    __typeof__(WebPDecodeRGBInto) *WebPDecodeRGBInto;
} webp = {.once = PTHREAD_ONCE_INIT};

static void load_webp(void) {
    static const char *const sonames[] = {"libwebp.so.7", "libwebp.so", NULL};
    const struct symbol symbols[] = {SYMBOL(webp, WebPGetInfo), SYMBOL(webp, WebPDecodeRGBInto), {NULL, NULL}};
    webp.handle = open_library(sonames, symbols, webp.error, sizeof webp.error);
}

static int decode_webp(const unsigned char *data, size_t size, long long max_elements, onyx_image *image) {
    int width = 0, height = 0;
    if (!webp.WebPGetInfo(data, size, &width, &height))
        return fail(image, ONYX_IMAGE_INVALID, "libwebp finds no still WebP image in the data");
    int status = check_size(image, width, height, max_elements);
    if (status != ONYX_IMAGE_OK) return status;
    size_t stride = (size_t)width * 3;
    if (webp.WebPDecodeRGBInto(data, size, image->pixels, stride * (size_t)height, (int)stride) == NULL)
        return fail(image, ONYX_IMAGE_INVALID, "libwebp cannot decode the data (corrupt or truncated)");
    return ONYX_IMAGE_OK;
}

// MARK: - JPEG 2000 (OpenJPEG)

static struct {
    LIBRARY_STATE;
    __typeof__(opj_stream_create) *opj_stream_create;
    __typeof__(opj_stream_destroy) *opj_stream_destroy;
    __typeof__(opj_stream_set_user_data) *opj_stream_set_user_data;
    __typeof__(opj_stream_set_user_data_length) *opj_stream_set_user_data_length;
    __typeof__(opj_stream_set_read_function) *opj_stream_set_read_function;
    __typeof__(opj_stream_set_skip_function) *opj_stream_set_skip_function;
    __typeof__(opj_stream_set_seek_function) *opj_stream_set_seek_function;
    __typeof__(opj_create_decompress) *opj_create_decompress;
    __typeof__(opj_destroy_codec) *opj_destroy_codec;
    __typeof__(opj_set_default_decoder_parameters) *opj_set_default_decoder_parameters;
    __typeof__(opj_setup_decoder) *opj_setup_decoder;
    __typeof__(opj_set_error_handler) *opj_set_error_handler;
    __typeof__(opj_set_warning_handler) *opj_set_warning_handler;
    __typeof__(opj_set_info_handler) *opj_set_info_handler;
    __typeof__(opj_read_header) *opj_read_header;
    __typeof__(opj_decode) *opj_decode;
    __typeof__(opj_end_decompress) *opj_end_decompress;
    __typeof__(opj_image_destroy) *opj_image_destroy;
} openjpeg = {.once = PTHREAD_ONCE_INIT};

static void load_openjpeg(void) {
    static const char *const sonames[] = {"libopenjp2.so.7", "libopenjp2.so", NULL};
    const struct symbol symbols[] = {
        SYMBOL(openjpeg, opj_stream_create), SYMBOL(openjpeg, opj_stream_destroy),
        SYMBOL(openjpeg, opj_stream_set_user_data), SYMBOL(openjpeg, opj_stream_set_user_data_length),
        SYMBOL(openjpeg, opj_stream_set_read_function), SYMBOL(openjpeg, opj_stream_set_skip_function),
        SYMBOL(openjpeg, opj_stream_set_seek_function), SYMBOL(openjpeg, opj_create_decompress),
        SYMBOL(openjpeg, opj_destroy_codec), SYMBOL(openjpeg, opj_set_default_decoder_parameters),
        SYMBOL(openjpeg, opj_setup_decoder), SYMBOL(openjpeg, opj_set_error_handler),
        SYMBOL(openjpeg, opj_set_warning_handler), SYMBOL(openjpeg, opj_set_info_handler),
        SYMBOL(openjpeg, opj_read_header), SYMBOL(openjpeg, opj_decode), SYMBOL(openjpeg, opj_end_decompress),
        SYMBOL(openjpeg, opj_image_destroy), {NULL, NULL},
    };
    openjpeg.handle = open_library(sonames, symbols, openjpeg.error, sizeof openjpeg.error);
}

static OPJ_SIZE_T openjpeg_read(void *out, OPJ_SIZE_T length, void *user) {
    struct source *source = user;
    if (source->position >= source->size) return (OPJ_SIZE_T)-1;
    return source_read(source, out, length);
}

static OPJ_OFF_T openjpeg_skip(OPJ_OFF_T length, void *user) {
    struct source *source = user;
    OPJ_OFF_T target = (OPJ_OFF_T)source->position + length;
    if (target < 0 || target > (OPJ_OFF_T)source->size) return -1;
    source->position = (size_t)target;
    return length;
}

static OPJ_BOOL openjpeg_seek(OPJ_OFF_T offset, void *user) {
    struct source *source = user;
    if (offset < 0 || offset > (OPJ_OFF_T)source->size) return OPJ_FALSE;
    source->position = (size_t)offset;
    return OPJ_TRUE;
}

// The first error OpenJPEG reports (its messages end in a newline).
static void openjpeg_error(const char *message, void *user) {
    onyx_image *image = user;
    if (image->error[0] != 0) return;
    snprintf(image->error, sizeof image->error, "%s", message);
    size_t length = strlen(image->error);
    if (length > 0 && image->error[length - 1] == '\n') image->error[length - 1] = 0;
}

static void openjpeg_quiet(const char *message, void *user) {
    (void)message;
    (void)user;
}

// A sample of `precision` bits (signed ones shifted up by half their range)
// as 8 bits: high bits kept, or low precisions shifted up, as PIL does.
static unsigned char openjpeg_sample(OPJ_INT32 value, const opj_image_comp_t *component) {
    int precision = (int)component->prec;
    long long v = (long long)value + (component->sgnd ? 1LL << (precision - 1) : 0);
    long long top = (1LL << precision) - 1;
    if (v < 0) v = 0;
    if (v > top) v = top;
    return (unsigned char)(precision >= 8 ? v >> (precision - 8) : v << (8 - precision));
}

static int decode_openjpeg(const unsigned char *data, size_t size, long long max_elements, onyx_image *image) {
    static const unsigned char jp2_signature[] = {0, 0, 0, 12, 'j', 'P', ' ', ' ', 13, 10, 0x87, 10};
    static const unsigned char codestream_start[] = {0xFF, 0x4F, 0xFF, 0x51};
    OPJ_CODEC_FORMAT format;
    if (size >= sizeof jp2_signature && memcmp(data, jp2_signature, sizeof jp2_signature) == 0) format = OPJ_CODEC_JP2;
    else if (size >= sizeof codestream_start && memcmp(data, codestream_start, sizeof codestream_start) == 0) format = OPJ_CODEC_J2K;
    else return fail(image, ONYX_IMAGE_INVALID, "neither a JP2 file nor a JPEG 2000 codestream");

    struct source source = {data, size, 0};
    opj_stream_t *stream = openjpeg.opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
    opj_codec_t *codec = openjpeg.opj_create_decompress(format);
    opj_image_t *decoded = NULL;
    int status = ONYX_IMAGE_INVALID;
    if (stream == NULL || codec == NULL) {
        snprintf(image->error, sizeof image->error, "OpenJPEG cannot make a decoder");
        goto done;
    }
    openjpeg.opj_stream_set_user_data(stream, &source, NULL);
    openjpeg.opj_stream_set_user_data_length(stream, size);
    openjpeg.opj_stream_set_read_function(stream, openjpeg_read);
    openjpeg.opj_stream_set_skip_function(stream, openjpeg_skip);
    openjpeg.opj_stream_set_seek_function(stream, openjpeg_seek);
    openjpeg.opj_set_error_handler(codec, openjpeg_error, image);
    openjpeg.opj_set_warning_handler(codec, openjpeg_quiet, NULL);
    openjpeg.opj_set_info_handler(codec, openjpeg_quiet, NULL);
    opj_dparameters_t parameters;
    openjpeg.opj_set_default_decoder_parameters(&parameters);
    if (!openjpeg.opj_setup_decoder(codec, &parameters) || !openjpeg.opj_read_header(stream, codec, &decoded)) goto done;
    long long width = (long long)decoded->x1 - decoded->x0, height = (long long)decoded->y1 - decoded->y0;
    status = check_size(image, width, height, max_elements);
    if (status != ONYX_IMAGE_OK) goto done;
    status = ONYX_IMAGE_INVALID;
    if (!openjpeg.opj_decode(codec, stream, decoded) || !openjpeg.opj_end_decompress(codec, stream)) goto done;
    OPJ_UINT32 count = decoded->numcomps;
    if (count < 1 || count > 4) {
        snprintf(image->error, sizeof image->error, "%u components (1 to 4 are grey, grey and alpha, RGB, RGBA)", count);
        goto done;
    }
    if (decoded->color_space != OPJ_CLRSPC_UNKNOWN && decoded->color_space != OPJ_CLRSPC_UNSPECIFIED &&
        decoded->color_space != OPJ_CLRSPC_SRGB && decoded->color_space != OPJ_CLRSPC_GRAY) {
        snprintf(image->error, sizeof image->error, "colour space %d is not supported", (int)decoded->color_space);
        goto done;
    }
    // Grey (and alpha) spreads to RGB; an alpha channel is dropped.
    OPJ_UINT32 colours = count < 3 ? 1 : 3;
    for (OPJ_UINT32 c = 0; c < colours; c++) {
        const opj_image_comp_t *component = &decoded->comps[c];
        if (component->w != width || component->h != height || component->data == NULL || component->prec < 1 ||
            component->prec > 31) {
            snprintf(image->error, sizeof image->error,
                     "component %u is %u x %u of %u bits (subsampled components are not supported)", c, component->w,
                     component->h, component->prec);
            goto done;
        }
    }
    size_t pixels = (size_t)width * (size_t)height;
    for (size_t i = 0; i < pixels; i++) {
        for (OPJ_UINT32 c = 0; c < 3; c++) {
            const opj_image_comp_t *component = &decoded->comps[colours == 1 ? 0 : c];
            image->pixels[3 * i + c] = openjpeg_sample(component->data[i], component);
        }
    }
    status = ONYX_IMAGE_OK;
done:
    if (decoded != NULL) openjpeg.opj_image_destroy(decoded);
    if (codec != NULL) openjpeg.opj_destroy_codec(codec);
    if (stream != NULL) openjpeg.opj_stream_destroy(stream);
    if (status == ONYX_IMAGE_INVALID) {
        if (image->error[0] == 0) snprintf(image->error, sizeof image->error, "OpenJPEG cannot decode the data");
        free(image->pixels);
        image->pixels = NULL;
    }
    return status;
}

// MARK: - Entry points

int onyx_image_decode(int format, const unsigned char *data, size_t size, long long max_elements, onyx_image *image) {
    memset(image, 0, sizeof *image);
    pthread_once_t *once;
    void (*load)(void);
    void **handle;
    const char *error;
    int (*decode)(const unsigned char *, size_t, long long, onyx_image *);
    switch (format) {
    case ONYX_IMAGE_JPEG:
        once = &jpeg.once, load = load_jpeg, handle = &jpeg.handle, error = jpeg.error, decode = decode_jpeg;
        break;
    case ONYX_IMAGE_PNG:
        once = &png.once, load = load_png, handle = &png.handle, error = png.error, decode = decode_png;
        break;
    case ONYX_IMAGE_TIFF:
        once = &tiff.once, load = load_tiff, handle = &tiff.handle, error = tiff.error, decode = decode_tiff;
        break;
    case ONYX_IMAGE_WEBP:
        once = &webp.once, load = load_webp, handle = &webp.handle, error = webp.error, decode = decode_webp;
        break;
    case ONYX_IMAGE_JPEG2000:
        once = &openjpeg.once, load = load_openjpeg, handle = &openjpeg.handle, error = openjpeg.error,
        decode = decode_openjpeg;
        break;
    default:
        return fail(image, ONYX_IMAGE_INVALID, "unknown image format %d", format);
    }
    pthread_once(once, load);
    if (*handle == NULL) return fail(image, ONYX_IMAGE_UNAVAILABLE, "%s", error);
    return decode(data, size, max_elements, image);
}

void onyx_image_free(onyx_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}
