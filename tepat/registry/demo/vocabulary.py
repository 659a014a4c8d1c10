"""Word lists for synthetic families in Banten: given names, kampung names, occupations, notes.

Names follow how people in Banten are registered: no family name, one or two given names; Sundanese,
Javanese, Betawi and Islamic names; older generations more often carry a single traditional name, younger
ones two-part modern or Arabic names. A token "Name:3" weighs that name three times.
"""

from __future__ import annotations

import numpy as np

from tepat.registry import choices as c


def weighted(text: str) -> tuple[np.ndarray, np.ndarray]:
    """'Siti:6 Nur:3 Dewi' → (names, probabilities). Underscores stand for spaces inside a name."""
    names: list[str] = []
    weights: list[float] = []
    for token in text.split():
        name, _, weight = token.partition(":")
        names.append(name.replace("_", " "))
        weights.append(float(weight or 1))
    probabilities = np.asarray(weights) / sum(weights)
    return np.asarray(names), probabilities


# Generations by birth year: OLD before 1965, MIDDLE 1965–1994, YOUNG 1995 and later.
GENERATION_BOUNDS = (1965, 1995)
TWO_PART_SHARE = (0.30, 0.62, 0.90)

# First element of a two-part name, by sex and generation.
FIRST_MALE = (
    weighted("Muhammad:3 Ahmad:4 Abdul:2 H._Ahmad Mad Haji_Mad Sa'i Jaya Karta Asep Ujang Dede Juhri Aan"),
    weighted(
        "Muhammad:5 Ahmad:5 Asep:5 Dede:4 Ujang:3 Agus:4 Ade:4 Dedi:3 Rudi:2 Yudi:2 Hendra:2 Iwan:2 Wawan:2 "
        "Acep:2 Jajang:2 Cecep:2 Deden Endang Eko Budi Joko Andi Edi Heri Rahmat:2 Abdul:2 Yayan Ayi Aep "
        "Mamat Engkos Ajat Odang Hasan Usep Entis Maman Nana"
    ),
    weighted(
        "Muhammad:10 Ahmad:5 Rizki:3 Fajar:2 Aditya:2 Dimas:2 Raka Alif:2 Zidan Farhan:2 Rafi Arkan Reza "
        "Ilham:2 Iqbal:2 Irfan Fikri:2 Gilang Bayu Dede:2 Ade:2 Dani Rendi Rangga Hafiz Aldi Ardi Yusuf "
        "Aditia Rehan Akbar Naufal Fahri"
    ),
)
FIRST_FEMALE = (
    weighted("Siti:8 Nyi:2 Hj._Siti Ratu Nur:2 Sri Eni Ai"),
    weighted(
        "Siti:10 Nur:5 Dewi:3 Sri:3 Eneng:3 Neng:3 Euis:3 Lilis:2 Ai:3 Imas:2 Tuti:2 Yanti Rina Ani Ika "
        "Ela:2 Iis Ratna Yuyun Eti:2 Nining Titin Enok Enung Dede:2 Ade Sumi Nani Wati Lina Leni Neneng"
    ),
    weighted(
        "Siti:8 Nur:5 Putri:3 Aulia:2 Salsa:2 Nabila:2 Zahra:2 Aisyah:3 Keisha Alya:2 Dinda:2 Aira Dewi:2 "
        "Sri Fitri:2 Intan:2 Rizka:2 Indah:2 Anisa:2 Nurul:3 Rahma Sinta Tiara Dea Neng:2 Eneng Aulia Citra "
        "Amelia Nayla"
    ),
)

# Second element of a two-part name, by sex (shared across generations, with mild generational flavour).
SECOND_MALE = weighted(
    "Hidayat:3 Saputra:3 Ramadhan:3 Setiawan:3 Kurniawan:3 Hermawan:2 Sudrajat:2 Permana:3 Nugraha:3 "
    "Gunawan:3 Firmansyah:3 Maulana:4 Saepudin:3 Hidayatullah:2 Rohmat:2 Suryana:2 Sutisna Suherman:2 "
    "Supriatna:2 Mulyana:2 Rahman:3 Hakim:2 Fauzi:3 Syahroni Jaenudin:2 Saepulloh:2 Abidin:2 Salim:2 "
    "Hartono Wijaya Pratama:4 Nurdin:2 Sobari Mukhlis Fadilah Kamaludin Hasanudin Sanusi Junaedi:2 "
    "Rohim Anwar Ridwan:2 Sopian Wahyudi Kusnadi Jamaludin:2 Syarifudin Mubarok Hamdani Ma'ruf Arifin:2 "
    "Yusuf Iskandar Munandar Sudarma Suparman Taufik Solihin"
)
SECOND_FEMALE = weighted(
    "Aminah:4 Rohmah:3 Nurhasanah:3 Fitriani:3 Lestari:2 Wulandari:3 Rahmawati:3 Maryam:2 Komalasari:2 "
    "Nurjanah:4 Sari:3 Handayani:2 Agustina:2 Susanti:2 Anggraeni:2 Permatasari:2 Rahayu:3 Hasanah:3 "
    "Aisyah:2 Fatimah:3 Khodijah:2 Halimah:2 Zahra Nuraeni:3 Komariah:2 Suryani:2 Alawiyah:2 Sartika "
    "Wahyuni:2 Yuliani:2 Mulyani:2 Hayati:2 Rosita Marlina:2 Kurniasih:2 Nurlaela:2 Jubaedah Saadah "
    "Maesaroh:2 Rukmini Ramdani Safitri:3 Amalia:2 Oktaviani Puspita Ayu:2 Khoerunnisa:2 Azzahra:2 "
    "Hamidah Robiah Rosmawati Sumiati"
)

# Single-name people, by sex and generation.
SINGLE_MALE = (
    weighted(
        "Sarmin Jaenudin:2 Saripudin:2 Juhri Sanusi:2 Sukarna Marjuki Kasim Usman:2 Rohmat Suhari Sarip "
        "Madsuri Jamhari:2 Sanwani Halimi Mursid Dulhadi Sukri Tarmin Nawawi:2 Samsudin:2 Jumadi Karta "
        "Sarmili Sahroni:2 Mulyadi Sukardi Arsad Mardani Sarnata Kamaludin Suhendi Jamil Mursan Sadeli "
        "Tohir Suparta Ruhiyat Entang Oman Ocid Uju Sahari Dulkarim"
    ),
    weighted(
        "Suryana:2 Sutisna:2 Hidayat:2 Sopian Taufik:2 Supriyadi:2 Mulyana Suhendi:2 Juanda Rahmat:2 "
        "Jajang Cecep Sahrudin:2 Saepudin:2 Junaedi:2 Nurdin:2 Sarif Kusnadi Hasanudin Badrudin Jaenal:2 "
        "Sarkawi Mahmudin Samsuri Ruslan Wahyudin Ahmadi Rohani Sukarta Sulaeman:2 Mukhtar Syamsudin "
        "Sobirin Suhada Haerudin"
    ),
    weighted(
        "Rizki:2 Fajar:2 Ilham:2 Iqbal Irfan Fikri Gilang Bayu Rendi Aldi Reza Akbar Rafi Ardiansyah "
        "Firmansyah Ramdani Hidayat Maulana:2 Syahrul Ridwan Sopyan Supriadi Ikhsan Fauzan"
    ),
)
SINGLE_FEMALE = (
    weighted(
        "Enah:2 Icih:2 Iyah:2 Oom Aminah:3 Juariah:2 Saodah:2 Maemunah:2 Romlah:2 Rukoyah Jubaedah:2 "
        "Halimah:2 Sarinah Tuminah Suminah Masitoh:2 Khodijah Salamah Atikah Mursinah Nuriyah Sumiati:2 "
        "Darsih Warsih Carsih Ratna Umayah Enoh Onah:2 Ijah:2 Juleha Maryam Sarah Rumsiah Hasanah Saripah "
        "Marpuah Rohanah Jumenah"
    ),
    weighted(
        "Rohaeti:2 Nurhayati:3 Mulyani:2 Yuliani Komariah:2 Sumiyati:2 Rosmiati Eti Nani Entin Iis Heni "
        "Nenden Yati:2 Kokom Euis Mumun Imas Nurlela:2 Rohimah:2 Sarmanah Aisah:2 Fatimah:2 Nurjanah:2 "
        "Sukaesih Rosidah Maesaroh:2 Jamilah:2 Mutmainah Solihat Umi Badriah Muslihah"
    ),
    weighted(
        "Nurhalimah Aisyah:2 Nabila Salsabila:2 Anisa:2 Fitriyani:2 Nurjanah Khoirunnisa Rahmawati Safitri "
        "Maulida Amelia Nurlaela Yulianti Intan Novitasari Selvi Sela Wulan Jihan Syifa Zahra"
    ),
)

def words(text: str) -> list[str]:
    """'Kebon_Kelapa Sukajadi' → ['Kebon Kelapa', 'Sukajadi']."""
    return [word.replace("_", " ") for word in text.split()]


# Kampung (hamlet) names, used as "Kp. <name>" in desa and "Lingk. <name>" in kelurahan.
KAMPUNG = np.asarray(words(
    "Pabuaran Kebon_Kelapa Sukajadi Cilaku Tegal Bojong Pasir_Gintung Babakan Kadu Cibeber Sawah_Luhur "
    "Pekijing Kadumalang Kramat Pedaleman Gardu Talaga Sindang Cigodeg Kebon_Jeruk Tanjung Pesisir "
    "Pangkalan Kalimati Lebak Karang_Asem Sukamaju Sukamulya Sukasari Sindangsari Kebon_Baru Pasar "
    "Kaloran Babakan_Kidul Kadu_Kulon Pasir_Wetan Cikoneng Jambu Sumur Lebak_Wangi Kebon_Sawo Pasir_Awi "
    "Kamurang Kepuh Kaujon Sawah Pakuncen Ciasem Blokang Kubang Rancasumur Kedung Kebon_Dalem Cibanten "
    "Gabus Tambak Rawa_Arum Cipete Pasir_Peuteuy Kadubeureum Tegal_Lega Bendung Cilowong Kemanisan "
    "Ranca_Lame Dukuh Pabean Kali_Pucang Sukadana Cikupa Jaha Gelam"
))

# Birth places outside the home kabupaten (migrants, spouses who married in).
OTHER_BIRTH_PLACES = np.asarray(
    ["Pandeglang", "Lebak", "Tangerang", "Cilegon", "Jakarta", "Bogor", "Bekasi", "Karawang", "Indramayu",
     "Brebes", "Tegal", "Lampung", "Cirebon", "Sukabumi"]
)

MOVED_NOTES = np.asarray(
    ["Pindah ke Tangerang", "Pindah ke Jakarta", "Pindah ke Cilegon", "Merantau ke Bekasi", "Ikut suami",
     "Pindah ke Karawang", "Bekerja di Batam", "Pindah ke Lampung"]
)
DIED_NOTE = "Meninggal dunia"
NOT_FOUND_NOTE = "Tidak ditemukan saat verifikasi lapangan"

E = c.EmploymentStatus
STUDENT = ("Pelajar/Mahasiswa", E.NOT_WORKING)
NOT_YET_WORKING = ("Belum/tidak bekerja", E.NOT_WORKING)
HOMEMAKER = ("Ibu rumah tangga", E.NOT_WORKING)

# (occupation, employment status, weight) for people of working age not in school, and for the elderly.
OCCUPATIONS_MALE = (
    ("Buruh harian lepas", E.CASUAL_NON_AGRICULTURE, 22),
    ("Petani/pekebun", E.SELF_EMPLOYED, 14),
    ("Buruh tani", E.CASUAL_AGRICULTURE, 12),
    ("Pedagang", E.SELF_EMPLOYED, 9),
    ("Wiraswasta", E.SELF_EMPLOYED, 6),
    ("Wiraswasta", E.EMPLOYER_TEMPORARY, 1),
    ("Karyawan swasta", E.EMPLOYEE, 9),
    ("Tukang ojek", E.SELF_EMPLOYED, 5),
    ("Sopir", E.EMPLOYEE, 3),
    ("Tukang bangunan", E.CASUAL_NON_AGRICULTURE, 6),
    ("Nelayan", E.SELF_EMPLOYED, 3),
    ("Pegawai negeri sipil", E.CIVIL_SERVANT, 0.5),
    ("Membantu usaha keluarga", E.FAMILY_WORKER, 1),
    ("Belum/tidak bekerja", E.NOT_WORKING, 8.5),
)
OCCUPATIONS_FEMALE = (
    ("Ibu rumah tangga", E.NOT_WORKING, 50),
    ("Pedagang", E.SELF_EMPLOYED, 12),
    ("Buruh harian lepas", E.CASUAL_NON_AGRICULTURE, 9),
    ("Buruh tani", E.CASUAL_AGRICULTURE, 6),
    ("Petani/pekebun", E.SELF_EMPLOYED, 3),
    ("Karyawan swasta", E.EMPLOYEE, 7),
    ("Asisten rumah tangga", E.EMPLOYEE, 3),
    ("Wiraswasta", E.SELF_EMPLOYED, 3),
    ("Membantu usaha keluarga", E.FAMILY_WORKER, 1),
    ("Belum/tidak bekerja", E.NOT_WORKING, 6),
)
OCCUPATIONS_ELDERLY = (
    ("Tidak bekerja", E.NOT_WORKING, 60),
    ("Petani/pekebun", E.SELF_EMPLOYED, 15),
    ("Buruh tani", E.CASUAL_AGRICULTURE, 8),
    ("Pedagang", E.SELF_EMPLOYED, 10),
    ("Buruh harian lepas", E.CASUAL_NON_AGRICULTURE, 4),
    ("Wiraswasta", E.SELF_EMPLOYED, 3),
)
