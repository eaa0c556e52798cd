"""Every change to products goes through a function in one of these modules.

catalogue: products, photos, certifications and standards; upgrades: upgrade records;
materials: the material library.
"""
