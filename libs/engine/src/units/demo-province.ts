import type { UnitSeed } from './unit-tree';

// Bắc Giang's ten districts as they were in 2021 (before the 2025 merger into Bắc Ninh).
const DISTRICTS = [
  ['213', 'Thành phố Bắc Giang'],
  ['215', 'Huyện Yên Thế'],
  ['216', 'Huyện Tân Yên'],
  ['217', 'Huyện Lạng Giang'],
  ['218', 'Huyện Lục Nam'],
  ['219', 'Huyện Lục Ngạn'],
  ['220', 'Huyện Sơn Động'],
  ['221', 'Huyện Yên Dũng'],
  ['222', 'Huyện Việt Yên'],
  ['223', 'Huyện Hiệp Hòa'],
] as const;

const FIRST = [
  'An',
  'Bảo',
  'Cẩm',
  'Đông',
  'Đồng',
  'Hòa',
  'Hương',
  'Hoàng',
  'Hồng',
  'Kim',
  'Lam',
  'Liên',
  'Minh',
  'Nghĩa',
  'Ngọc',
  'Phúc',
  'Quang',
  'Tân',
  'Thanh',
  'Tiên',
  'Trung',
  'Vân',
  'Xuân',
];
const SECOND = ['Sơn', 'Hà', 'Lộc', 'Phong', 'Thịnh', 'Hưng', 'Bình', 'Lâm', 'Tiến', 'Khê'];
const VILLAGE = ['Đồng', 'Trại', 'Chợ', 'Đình', 'Giữa', 'Cầu', 'Núi', 'Bãi', 'Hạ', 'Thượng'];

/**
 * A demo province the size of Bắc Giang in 2021: 10 districts, 230 communes, 2,127 villages
 * (the count in the province's 10/10/2021 progress report). Names are Vietnamese-looking,
 * not real; codes follow the national numbering shape (province 2, district 3, commune 5,
 * village 7 digits).
 */
export function demoProvince(provinceCode = '24', provinceName = 'Tỉnh Bắc Giang (demo)'): UnitSeed[] {
  const units: UnitSeed[] = [{ code: provinceCode, name: provinceName, level: 'province', parentCode: null }];
  const communesPerDistrict = 23;
  const totalVillages = 2127;
  const communeCount = DISTRICTS.length * communesPerDistrict;
  let communeIndex = 0;
  for (const [districtCode, districtName] of DISTRICTS) {
    units.push({ code: districtCode, name: districtName, level: 'district', parentCode: provinceCode });
    for (let c = 0; c < communesPerDistrict; c++, communeIndex++) {
      const communeCode = String(7000 + communeIndex * 3).padStart(5, '0');
      const name = `Xã ${FIRST[communeIndex % FIRST.length]} ${SECOND[Math.floor(communeIndex / FIRST.length) % SECOND.length]}`;
      units.push({ code: communeCode, name, level: 'commune', parentCode: districtCode });
      // 2,127 = 230 × 9 + 57: the first 57 communes have ten villages, the rest nine.
      const villages = Math.floor(totalVillages / communeCount) + (communeIndex < totalVillages % communeCount ? 1 : 0);
      for (let v = 0; v < villages; v++) {
        units.push({
          code: `${communeCode}${String(v + 1).padStart(2, '0')}`,
          name: `Thôn ${VILLAGE[v % VILLAGE.length]} ${Math.floor(v / VILLAGE.length) + 1}`,
          level: 'village',
          parentCode: communeCode,
        });
      }
    }
  }
  return units;
}
