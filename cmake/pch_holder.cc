// The translation unit of the precompiled-header holder libraries
// (cmake/ImagelibPch.cmake): CMake compiles the headers; nothing else is here.
