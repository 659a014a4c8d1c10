# ruff: noqa: SIM905 -- word lists are easier to read and extend as one string
"""Name sources for the independent population: given names by naming custom, as written in West Java,
North Sumatra and Jakarta registers. Order is a rough popularity order; frequencies are Zipf-like over it."""

SUNDA_JAWA_MALE = (
    "Asep Ujang Dadan Wawan Yayat Cecep Dedi Agus Budi Eko Joko Slamet Sugeng Bambang Heri Iwan Rudi Hendra "
    "Yusuf Usep Endang Engkos Jajang Mamat Nanang Odih Rohmat Tatang Uus Wahyu Adang Aceng Didin Enjang Gugun "
    "Haris Ilham Kurnia Lukman Maman Nandang Opik Pepen Rian Saepul Tono Udin Yadi Zaenal Darto Karyo Paijo "
    "Sutrisno Suparman Suryadi Tarman Warsito Yanto Dodi Fajar Galih Irfan Jaka Krisna Lutfi Rizal Surya "
    "Teguh Wisnu Yoga Arif Bayu Candra Dimas Erwin Feri Gilang Hadi Imam Jefri Kevin Reza Aditya Rafli Fikri "
    "Aldi Dafa Rizky Arkan Alif Azka"
).split()
SUNDA_JAWA_FEMALE = (
    "Dewi Amelia Euis Neng Imas Iis Nining Yati Cucu Entin Lilis Tuti Ani Sri Wati Yuli Rina Rini Ratna Endah "
    "Eti Heni Ika Kokom Lia Mimin Nia Oom Popon Rika Santi Teti Umi Wulan Yeni Ade Asih Dini Elis Fitri Gina "
    "Hani Ida Juju Kiki Lina Mira Nanda Nurul Putri Rosa Sinta Tika Vina Winda Yuyun Ayu Bunga Citra Dinda "
    "Erna Fani Gita Hesti Indah Jihan Kartika Lestari Melati Novi Okta Puspita Rahma Sekar Tiara Utami Vivi "
    "Widya Yulia Zahra Aisyah Nayla Alya Keisha Syifa Salsabila Adinda Anisa"
).split()
ISLAMIC_MALE_FIRST = "Muhammad Ahmad Abdul Moh. Achmad Muh. M. Nur Abdullah".split()
ISLAMIC_MALE = (
    "Rizki Yusuf Ikhsan Hasan Husein Fauzi Rahman Hidayat Syarif Ilham Ridwan Zaki Hafiz Faisal Anwar Kholil "
    "Sholeh Jamal Mansur Nawawi Qodir Rohim Salim Thoha Umar Usman Wahid Yahya Zainal Aziz Basir Dahlan Fikri "
    "Habib Iqbal Jaelani Khairul Latif Mahmud Najib Ramdan Said Taufik Wildan"
).split()
ISLAMIC_FEMALE_FIRST = "Siti Nur Sri Nurul Hj.".split()
ISLAMIC_FEMALE = (
    "Aminah Fatimah Khadijah Aisyah Maryam Zainab Rohmah Halimah Nurjanah Sholihah Rukayah Maemunah Juariah "
    "Hasanah Jubaedah Masitoh Muslimah Nafisah Qomariah Romlah Saodah Tohiroh Umayah Wardah Yuliana Zulaikha "
    "Badriah Dariah Hamidah Jamilah Kurniasih Latifah Mardiah Nuraini Rahayu Sa'adah Tsuraya"
).split()
BATAK_MARGA = (
    "Simanjuntak Siregar Nasution Harahap Lubis Hutagalung Sinaga Situmorang Pardede Sitompul Panjaitan "
    "Tambunan Manurung Hutapea Silalahi Sihombing Napitupulu Simatupang Pasaribu Tampubolon Rajagukguk"
).split()
CHRISTIAN_MALE = "Yohanes Petrus Paulus Markus Lukas Daniel Samuel Yosua Timotius Stefanus Andreas Robert".split()
CHRISTIAN_FEMALE = "Maria Magdalena Elisabet Ruth Debora Ester Yohana Agnes Veronika Lidia Christina Grace".split()
CHINESE_SURNAMES = "Halim Wijaya Gunawan Tanoto Salim Santoso Kusuma Setiawan Hartono Lim Tan Wong".split()
SECOND_WORDS = (
    "Saputra Saputri Pratama Pratiwi Hidayat Permana Kurniawan Setiawan Wijaya Maulana Ramadhan Nugraha "
    "Firmansyah Hermawan Gunawan Suhendar Sudrajat Rohendi Supriatna Mulyana Sopandi Kusnadi Rustandi "
    "Hernawati Rahmawati Kurniasih Nurhayati Susilawati Sulastri Maryati Suryani Handayani Herlina Rosita"
).split()

# Javanese/Sundanese names are built from a prefix and a suffix (Su-parman, Sri-yati, Mul-yono): many
# distinct names, each rare, behind the few very common ones.
PREFIXES = (
    "Su Sri Har War Mul Kus Sup Tri Pur Sar Jum Kar Par Sal Rus Dar Yul Wid Nur Rah Sum Tar Wag Sap Rat Mar Kas "
    "Sud Tum Warn Dw Ag Ed Yos Hend"
).split()
MALE_SUFFIXES = "yono yanto man di tono jo ono adi wan mat sin din rto rno yadi jaya".split()
FEMALE_SUFFIXES = "yati yani wati sih nah ni tini yem iah ningsih tinah rni yuni".split()


def composed(prefixes: list[str], suffixes: list[str]) -> list[str]:
    return [p + s for p in prefixes for s in suffixes]
