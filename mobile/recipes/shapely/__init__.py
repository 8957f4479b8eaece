"""shapely 2 for python-for-android (p4a's own recipe is 1.7a1, too old for us).

shapely 2 builds with Cython and numpy against GEOS's C API; the local
``libgeos`` recipe provides a GEOS recent enough for shapely 2.2.
"""

from os.path import join

from pythonforandroid.recipe import PyProjectRecipe, Recipe


class ShapelyRecipe(PyProjectRecipe):
    name = "shapely"
    version = "2.2.0"
    url = "https://files.pythonhosted.org/packages/source/s/shapely/shapely-{version}.tar.gz"
    site_packages_name = "shapely"
    depends = ["setuptools", "numpy", "libgeos"]
    hostpython_prerequisites = ["Cython>=3.1", "numpy>=2"]

    def get_recipe_env(self, arch, **kwargs):
        env = super().get_recipe_env(arch, **kwargs)
        geos = join(Recipe.get_recipe("libgeos", self.ctx).get_build_dir(arch.arch), "install_target")
        env["GEOS_INCLUDE_PATH"] = join(geos, "include")
        env["GEOS_LIBRARY_PATH"] = join(geos, "lib")
        env["CFLAGS"] = env.get("CFLAGS", "") + " -I" + join(geos, "include")
        env["LDFLAGS"] = env.get("LDFLAGS", "") + " -L" + join(geos, "lib")
        return env


recipe = ShapelyRecipe()
