"""GEOS for shapely 2 (p4a's own recipe builds 3.7.1; shapely 2.2 needs >= 3.10).

p4a's CMake build of GEOS, with the version bumped: shared libgeos and
libgeos_c installed into ``install_target`` for the shapely recipe.
"""

from multiprocessing import cpu_count
from os.path import join

import sh
from pythonforandroid.recipe import Recipe
from pythonforandroid.toolchain import shprint
from pythonforandroid.util import current_directory, ensure_dir


class LibgeosRecipe(Recipe):
    version = "3.14.1"
    url = "https://github.com/libgeos/geos/archive/{version}.zip"
    depends = []
    built_libraries = {"libgeos.so": "install_target/lib", "libgeos_c.so": "install_target/lib"}
    need_stl_shared = True

    def build_arch(self, arch):
        source_dir = self.get_build_dir(arch.arch)
        build_target = join(source_dir, "build_target")
        install_target = join(source_dir, "install_target")
        ensure_dir(build_target)
        with current_directory(build_target):
            env = self.get_recipe_env(arch)
            shprint(sh.cmake, source_dir,
                    f"-DANDROID_ABI={arch.arch}",
                    f"-DANDROID_NATIVE_API_LEVEL={self.ctx.ndk_api}",
                    "-DANDROID_STL=" + self.stl_lib_name,
                    "-DCMAKE_TOOLCHAIN_FILE=" + join(self.ctx.ndk_dir, "build", "cmake", "android.toolchain.cmake"),
                    f"-DCMAKE_INSTALL_PREFIX={install_target}",
                    "-DCMAKE_BUILD_TYPE=Release",
                    "-DBUILD_TESTING=OFF",
                    "-DBUILD_SHARED_LIBS=ON",
                    _env=env)
            shprint(sh.make, f"-j{cpu_count()}", _env=env)
            shprint(sh.make, "install", _env=env)


recipe = LibgeosRecipe()
